// Baselines measured in the same run as the SDK: a bare onnxruntime-node session (the engine with
// nothing of ours around it) and OpenCV's decode + blobFromImage (python3-opencv), which the
// pipeline's decode and preprocess stages are divided by.

import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TensorMap, writeFileAtomic } from '@edge/core';
import { type PreprocessSpec, resolveSpec } from '@edge/preprocess';
import { runPython } from '../harness/python.js';
import type { Runner } from './scenarios.js';

type Ort = typeof import('onnxruntime-node');

/** A bare onnxruntime-node session as a {@link Runner}; release it when done. */
export interface BareSession {
  readonly runner: Runner;
  /** e.g. `bare onnxruntime-node 1.30.0 session`. */
  readonly name: string;
  release(): Promise<void>;
}

/**
 * Creates `InferenceSession` straight from onnxruntime-node with the options our backend passes
 * (CPU provider, `threads` intra-op threads or onnxruntime's default) and feeds built once.
 *
 * @throws what onnxruntime-node throws when the model does not load.
 */
export async function bareOnnxruntime(
  model: Uint8Array,
  threads: number | undefined,
  feeds: Readonly<TensorMap>,
): Promise<BareSession> {
  const ort = createRequire(import.meta.url)('onnxruntime-node') as Ort;
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'],
    ...(threads === undefined ? {} : { intraOpNumThreads: threads }),
  });
  const ortFeeds: Record<string, InstanceType<Ort['Tensor']>> = {};
  for (const [name, t] of Object.entries(feeds))
    ortFeeds[name] = new ort.Tensor(t.dtype as 'float32', t.data as Float32Array, t.shape);
  const name = `bare onnxruntime-node ${ort.env.versions?.node ?? ''} session`.replace('  ', ' ');
  return {
    name,
    runner: {
      name,
      query: async () => {
        await session.run(ortFeeds);
        return undefined;
      },
    },
    release: () => session.release(),
  };
}

/** Decode and preprocess samples of the OpenCV baseline, in ms. */
export interface OpencvSamples {
  readonly decode: number[];
  readonly preprocess: number[];
  /** e.g. `python3-opencv 4.6.0, numpy 1.24.2`. */
  readonly source: string;
}

// cv2.imdecode, then blobFromImage (resize INTER_LINEAR to the tensor size, mean, scale, RGB swap
// when the model wants RGB) and the division by std: the same arithmetic as the spec, done the
// way an OpenCV user would. Prints the samples as JSON.
const OPENCV_SCRIPT = `
import json, sys, time
try:
    import cv2, numpy as np
except Exception as e:
    print(json.dumps({"error": "python3-opencv is not installed (%s)" % e}))
    sys.exit(0)
a = json.loads(sys.argv[1])
data = np.fromfile(a["path"], dtype=np.uint8)
gray = a["channels"] == 1
scale = a["scale"]
mean = tuple(m / scale for m in a["mean"]) if not gray else a["mean"][0] / scale
std = np.array(a["std"], dtype=np.float32).reshape(1, -1, 1, 1)
def once():
    t0 = time.perf_counter()
    img = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE if gray else cv2.IMREAD_COLOR)
    t1 = time.perf_counter()
    blob = cv2.dnn.blobFromImage(img, scalefactor=scale, size=(a["width"], a["height"]), mean=mean, swapRB=a["rgb"])
    blob /= std
    if a["nhwc"]:
        blob = np.ascontiguousarray(blob.transpose(0, 2, 3, 1))
    t2 = time.perf_counter()
    return (t1 - t0) * 1000, (t2 - t1) * 1000
start = time.perf_counter()
while True:
    once()
    if (time.perf_counter() - start) * 1000 >= a["warmupMs"]:
        break
dec, pre = [], []
start = time.perf_counter()
while (time.perf_counter() - start) * 1000 < a["durationMs"] or len(dec) < a["minQueries"]:
    d, p = once()
    dec.append(d)
    pre.append(p)
print(json.dumps({"decode": dec, "preprocess": pre, "source": "python3-opencv %s, numpy %s" % (cv2.__version__, np.__version__)}))
`;

/** Options of {@link opencvBaseline}. */
export interface OpencvOptions {
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly minQueries: number;
  readonly python: string;
  readonly signal?: AbortSignal;
}

/**
 * Times OpenCV decoding `image` and turning it into the tensor `spec` describes (stretched to its
 * size: OpenCV has no letterbox of its own). Never throws for a missing python or cv2: returns
 * the reason instead, and the report goes on without this baseline.
 */
export async function opencvBaseline(
  image: Uint8Array,
  spec: PreprocessSpec,
  options: OpencvOptions,
): Promise<{ ok: true; value: OpencvSamples } | { ok: false; reason: string }> {
  const r = resolveSpec(spec);
  if (r.size === undefined) return { ok: false, reason: 'the OpenCV baseline needs a fixed input size' };
  const dir = mkdtempSync(join(tmpdir(), 'edge-bench-'));
  try {
    const path = join(dir, 'image');
    writeFileAtomic(path, image);
    const args = {
      path,
      width: r.size.width,
      height: r.size.height,
      channels: r.channels,
      rgb: r.color === 'rgb',
      scale: r.scale,
      mean: r.mean,
      std: r.std,
      nhwc: r.layout === 'nhwc',
      warmupMs: options.warmupMs,
      durationMs: options.durationMs,
      minQueries: options.minQueries,
    };
    return await runPython<OpencvSamples>(OPENCV_SCRIPT, [JSON.stringify(args)], {
      python: options.python,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      timeoutMs: options.warmupMs + options.durationMs + 120_000,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
