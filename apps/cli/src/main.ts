import { formatTable, isEdgeError } from '@edge/core';
import { type Command, type Io, UsageError } from './command.js';

/** A subcommand as `edge --help` lists it; its module (and what it imports) loads only when run. */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

/** Every subcommand, in the order `edge --help` lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'inspect',
    summary: 'inputs, outputs, opset, parameters, MACs, op histogram and heaviest layers of a model',
    load: async () => (await import('./commands/inspect.js')).inspectCommand,
  },
  {
    name: 'check',
    summary: 'whether a model deploys on TensorRT, DLA, Edge TPU, VPU, CPU targets, per node with fixes',
    load: async () => (await import('./commands/check.js')).checkCommand,
  },
  {
    name: 'convert',
    summary:
      'fix or free the batch, set input shapes, fold constants, drop Identity/Dropout, Upsample -> Resize',
    load: async () => (await import('./commands/convert.js')).convertCommand,
  },
  {
    name: 'calibrate',
    summary:
      'activation ranges over a folder of images (entropy, minmax, percentile, mse) as a TensorRT cache',
    load: async () => (await import('./commands/calibrate.js')).calibrateCommand,
  },
  {
    name: 'quantize',
    summary: 'an FP32 model as QDQ INT8 from a calibration cache, or as FP16 with float32 inputs and outputs',
    load: async () => (await import('./commands/quantize.js')).quantizeCommand,
  },
  {
    name: 'compare',
    summary: 'two models on the same images: cosine, errors, top-1, IoU per output, and where error grows',
    load: async () => (await import('./commands/compare.js')).compareCommand,
  },
  {
    name: 'preprocess',
    summary: 'images to a normalised batch tensor (.npy), OpenCV-exact, from a preset or flags',
    load: async () => (await import('./commands/preprocess.js')).preprocessCommand,
  },
  {
    name: 'postprocess',
    summary: 'a tensor (.npy) back to a PNG/JPEG image: de-normalised, or colour-mapped scores and masks',
    load: async () => (await import('./commands/postprocess.js')).postprocessCommand,
  },
  {
    name: 'trt',
    summary:
      'TensorRT: build engines (cached, checked against the GPU and version), info, doctor, trtexec both ways',
    load: async () => (await import('./commands/trt.js')).trtCommand,
  },
  {
    name: 'bench',
    summary:
      'latency and throughput per MLPerf scenario over backends x precisions x batch x threads, with baselines; JSON, Markdown, HTML',
    load: async () => (await import('./commands/bench.js')).benchCommand,
  },
  {
    name: 'run',
    summary:
      'any model on images: classes, boxes, masks, text boxes, faces, landmarks (or its raw outputs), printed and drawn',
    load: async () => (await import('./commands/run.js')).runCommand,
  },
  {
    name: 'ocr',
    summary: 'the text of images, line by line: PaddleOCR detection, direction, recognition',
    load: async () => (await import('./commands/ocr.js')).ocrCommand,
  },
];

/** Exit codes: 0 success, 1 unexpected failure, 2 bad input or usage (a file, a flag). */
export const EXIT = { OK: 0, FAILURE: 1, BAD_INPUT: 2 } as const;

function usage(): string {
  return [
    'usage: edge <command> [options]',
    '',
    'commands:',
    formatTable(
      COMMANDS.map((c) => [c.name, c.summary]),
      { indent: '  ' },
    ),
    '',
    "Run 'edge <command> --help' for a command's options.",
  ].join('\n');
}

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit code. Errors the SDK
 * raises on purpose (bad files, bad flags) become one line on stderr and exit code 2; anything
 * else is a bug: one line too, with the stack only when EDGE_DEBUG is set.
 */
export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${usage()}\n`);
    return name ? EXIT.OK : EXIT.BAD_INPUT;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    io.stderr.write(
      `edge: unknown command '${name}' (expected one of: ${COMMANDS.map((c) => c.name).join(', ')})\n`,
    );
    return EXIT.BAD_INPUT;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${command.usage}\n`);
    return EXIT.OK;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`edge ${name}: ${e.message}\n${command.usage}\n`);
      return EXIT.BAD_INPUT;
    }
    if (isEdgeError(e)) {
      io.stderr.write(`edge ${name}: ${oneLine(e.message)}\n`);
      return EXIT.BAD_INPUT;
    }
    io.stderr.write(`edge ${name}: internal error: ${oneLine(String((e as Error)?.message ?? e))}\n`);
    if (process.env.EDGE_DEBUG) io.stderr.write(`${(e as Error)?.stack}\n`);
    else io.stderr.write('  (set EDGE_DEBUG=1 for the stack trace, and please report it)\n');
    return EXIT.FAILURE;
  }
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}
