// The stock TFLite table's source: the bundled runtime (@tensorflow/tfjs-tflite's wasm build of
// TFLite). A one-op model of each builtin operator, at each operator version, is loaded: TFLite says
// "Didn't find op for builtin opcode 'X' version 'N'" for a version its op resolver lacks and "Op
// builtin_code out of range" for an operator its schema does not know; any other outcome (it loads,
// or the kernel refuses the made-up tensors when it prepares) means the resolver has the op at that
// version. The result is data/tflite-builtins.json.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTfliteWeb } from '../../src/backend/engine.js';
import { BUILTIN_OPERATORS, builtinOperatorCode } from '../../src/index.js';
import { buildTflite } from './build-tflite.js';

export const DATA: string = join(dirname(fileURLToPath(import.meta.url)), '../../data/tflite-builtins.json');

/** What the runtime did with one builtin. */
export interface BuiltinMeasurement {
  readonly op: string;
  readonly code: number;
  /** registered: the resolver has versions 1..maxVersion; not-registered: no version; unknown-code: beyond the schema. */
  readonly status: 'registered' | 'not-registered' | 'unknown-code';
  /** Versions minVersion..maxVersion are registered (0 when none). */
  readonly minVersion: number;
  readonly maxVersion: number;
  /** The first line TFLite printed for the first version tried. */
  readonly evidence: string;
}

/** Codes that are not operators one can load (placeholders, the custom and delegate markers). */
const SKIP = ['CUSTOM', 'DELEGATE', 'PLACEHOLDER_FOR_GREATER_OP_CODES'];
const MAX_VERSION = 16;

// MediaPipe's first: the stock ones are resolved and then crash on the missing custom options
// ("memory access out of bounds"), which is evidence enough that the resolver has them.
const CUSTOMS = [
  'Convolution2DTransposeBias',
  'MaxPoolingWithArgmax2D',
  'MaxUnpooling2D',
  'TransformTensorBilinear',
  'TransformLandmarks',
  'Landmarks2TransformMatrix',
  'TFLite_Detection_PostProcess',
  'Mfcc',
  'AudioSpectrogram',
  'NumericVerify',
];

export async function measureBuiltins(): Promise<{
  runtime: string;
  build: string;
  builtins: BuiltinMeasurement[];
  customs: { op: string; registered: boolean; evidence: string }[];
}> {
  const web = await loadTfliteWeb();
  const attempt = async (op: string, version: number, custom = false): Promise<string> => {
    const model = buildTflite({
      tensors: [
        { name: 'x', shape: [1, 4] },
        { name: 'y', shape: [1, 4] },
      ],
      inputs: ['x'],
      outputs: ['y'],
      operators: [{ op, version, inputs: ['x'], outputs: ['y'], ...(custom ? { custom: true } : {}) }],
    });
    web.drainLog();
    try {
      const r = await web.createRunner(model.slice().buffer, {});
      r.cleanUp();
      return 'loads';
    } catch (e) {
      const log = (e as { engineLog?: string[] }).engineLog ?? [String(e)];
      return log.find((l) => l.trim()) ?? String(e);
    }
  };
  const builtins: BuiltinMeasurement[] = [];
  for (const op of BUILTIN_OPERATORS) {
    if (SKIP.includes(op)) continue;
    const first = await attempt(op, 1);
    const code = builtinOperatorCode(op) ?? -1;
    const short = first.replace(/\s+/g, ' ').slice(0, 160);
    if (/builtin_code out of range/.test(first)) {
      builtins.push({ op, code, status: 'unknown-code', minVersion: 0, maxVersion: 0, evidence: short });
      continue;
    }
    // Some builtins start above version 1 (BROADCAST_TO at 2).
    let min = 1;
    let evidence = first;
    while (/Didn't find op for builtin opcode/.test(evidence) && min < MAX_VERSION)
      evidence = await attempt(op, ++min);
    if (/Didn't find op for builtin opcode/.test(evidence)) {
      builtins.push({ op, code, status: 'not-registered', minVersion: 0, maxVersion: 0, evidence: short });
      continue;
    }
    let max = min;
    for (let v = min + 1; v <= MAX_VERSION; v++) {
      if (/Didn't find op for builtin opcode/.test(await attempt(op, v))) break;
      max = v;
    }
    builtins.push({
      op,
      code,
      status: 'registered',
      minVersion: min,
      maxVersion: max,
      evidence: evidence.replace(/\s+/g, ' ').slice(0, 160),
    });
  }
  // Custom codes the stock resolver is said to register (register.cc AddCustom), and MediaPipe's.
  const customs: { op: string; registered: boolean; evidence: string }[] = [];
  for (const op of CUSTOMS) {
    const r = await attempt(op, 1, true);
    customs.push({
      op,
      registered: !/unresolved custom op/i.test(r),
      evidence: r.replace(/\s+/g, ' ').slice(0, 160),
    });
  }
  const pkg = JSON.parse(
    readFileSync(
      join(
        dirname(fileURLToPath(import.meta.url)),
        '../../node_modules/@tensorflow/tfjs-tflite/package.json',
      ),
      'utf8',
    ),
  ) as { version: string };
  return { runtime: `@tensorflow/tfjs-tflite ${pkg.version}`, build: web.build, builtins, customs };
}

/** Pretty header, one builtin a line. */
export function formatMeasurement(data: {
  builtins: readonly BuiltinMeasurement[];
  customs: readonly object[];
}): string {
  const { builtins, customs, ...head } = data;
  const top = JSON.stringify(head, null, 2).replace(/\n}$/, '');
  const list = (xs: readonly object[]) => xs.map((b) => `    ${JSON.stringify(b)}`).join(',\n');
  return `${top},\n  "builtins": [\n${list(builtins)}\n  ],\n  "customs": [\n${list(customs)}\n  ]\n}\n`;
}
