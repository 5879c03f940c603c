// A VGG-like convolutional network generated with the library's own writer: Conv+Relu stages with
// max pooling, then global average pooling and a fully connected classifier. Weights are float32
// initializers from a seeded generator, so the same spec always gives the same bytes. It is valid
// ONNX (onnx.load and onnx.checker accept it) and sized to order by adding 3x3 convolutions.

import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  DataType,
  type NodeProto,
  type OnnxModel,
  onnxBuilder,
  readModelFile,
  type TensorProto,
  tensorFromArray,
  writeModelFile,
} from '@edge/onnx-parse';

/** What to generate. */
export interface ConvStackSpec {
  /** Channels of the first stage; later stages have 2, 4, 8 and 8 times as many (VGG: 64). */
  baseWidth: number;
  /**
   * Approximate size of the weights in bytes. The network is at least VGG16's 13 convolutions;
   * more convolutions at the widest stage are added while that brings the size closer to this.
   */
  targetBytes: number;
  /** Seed of the weight values. Default 1. */
  seed?: number;
}

/** Bump when the generated graph changes, so cached files made by an older version are replaced. */
const GENERATOR_VERSION = 1;
const METADATA_KEY = 'edge.bench.generator';
const CLASSES = 1000;
const STAGE_CONVS = [2, 2, 3, 3, 3];
const STAGE_WIDTH = [1, 2, 4, 8, 8];

const { graph, model, node, value } = onnxBuilder;

/** Uniform values in [-scale, scale) from xorshift32: fast, and the same for the same seed. */
function weights(count: number, scale: number, state: { s: number }): Float32Array {
  const out = new Float32Array(count);
  let s = state.s;
  const k = (2 * scale) / 4294967296;
  for (let i = 0; i < count; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = (s >>> 0) * k - scale;
  }
  state.s = s;
  return out;
}

/** Bytes of float32 weights and bias of one convolution. */
const convBytes = (cin: number, cout: number): number => 4 * (cout * cin * 9 + cout);

/** Channel counts (in, out) of every convolution of a spec, in order, and the stage each ends. */
function layout(spec: ConvStackSpec): Array<{ cin: number; cout: number; poolAfter: boolean }> {
  const w = spec.baseWidth;
  const convs: Array<{ cin: number; cout: number; poolAfter: boolean }> = [];
  let cin = 3;
  STAGE_CONVS.forEach((n, stage) => {
    for (let i = 0; i < n; i++) {
      const cout = STAGE_WIDTH[stage]! * w;
      convs.push({ cin, cout, poolAfter: i === n - 1 });
      cin = cout;
    }
  });
  const widest = 8 * w;
  let total = convs.reduce((s, c) => s + convBytes(c.cin, c.cout), 0) + 4 * (CLASSES * widest + CLASSES);
  const extra = convBytes(widest, widest);
  // Extra convolutions go into the last stage, before its pooling.
  while (Math.abs(total + extra - spec.targetBytes) < Math.abs(total - spec.targetBytes)) {
    const last = convs.pop()!;
    convs.push({ ...last, poolAfter: false }, { cin: widest, cout: widest, poolAfter: true });
    total += extra;
  }
  return convs;
}

/** Builds the model in memory (weights as arrays; nothing is written). */
export function convStackModel(spec: ConvStackSpec): OnnxModel {
  const state = { s: (spec.seed ?? 1) >>> 0 || 1 };
  const nodes: NodeProto[] = [];
  const initializers: TensorProto[] = [];
  let x = 'input';
  layout(spec).forEach((c, i) => {
    const id = `conv${i + 1}`;
    const scale = Math.sqrt(6 / (c.cin * 9)); // He-uniform
    initializers.push(
      tensorFromArray(
        `${id}.weight`,
        DataType.FLOAT,
        [c.cout, c.cin, 3, 3],
        weights(c.cout * c.cin * 9, scale, state),
      ),
      tensorFromArray(`${id}.bias`, DataType.FLOAT, [c.cout], weights(c.cout, 0.01, state)),
    );
    nodes.push(
      node(
        'Conv',
        [x, `${id}.weight`, `${id}.bias`],
        [`${id}.out`],
        { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1] },
        { name: id },
      ),
      node('Relu', [`${id}.out`], [`${id}.act`], {}, { name: `${id}.relu` }),
    );
    x = `${id}.act`;
    if (c.poolAfter) {
      nodes.push(
        node(
          'MaxPool',
          [x],
          [`${id}.pooled`],
          { kernel_shape: [2, 2], strides: [2, 2] },
          { name: `${id}.pool` },
        ),
      );
      x = `${id}.pooled`;
    }
  });
  const widest = 8 * spec.baseWidth;
  initializers.push(
    tensorFromArray(
      'fc.weight',
      DataType.FLOAT,
      [CLASSES, widest],
      weights(CLASSES * widest, Math.sqrt(6 / widest), state),
    ),
    tensorFromArray('fc.bias', DataType.FLOAT, [CLASSES], weights(CLASSES, 0.01, state)),
  );
  nodes.push(
    node('GlobalAveragePool', [x], ['gap.out'], {}, { name: 'gap' }),
    node('Flatten', ['gap.out'], ['flat'], { axis: 1 }, { name: 'flatten' }),
    node('Gemm', ['flat', 'fc.weight', 'fc.bias'], ['logits'], { transB: 1 }, { name: 'fc' }),
  );
  return model(
    graph({
      name: 'conv_stack',
      nodes,
      initializers,
      inputs: [value('input', ['N', 3, 224, 224])],
      outputs: [value('logits', ['N', CLASSES])],
    }),
    13,
    {
      producerName: 'edge-bench',
      producerVersion: String(GENERATOR_VERSION),
      modelVersion: 1,
      docString: 'VGG-like benchmark model generated by apps/bench',
      metadataProps: [{ key: METADATA_KEY, value: specKey(spec) }],
    },
  );
}

function specKey(spec: ConvStackSpec): string {
  return `conv-stack v${GENERATOR_VERSION} w${spec.baseWidth} t${spec.targetBytes} s${spec.seed ?? 1}`;
}

/** Short file-friendly name of a spec, e.g. `conv-stack-w64-100mb`. */
export function convStackName(spec: ConvStackSpec): string {
  const mb = spec.targetBytes / 1e6;
  return `conv-stack-w${spec.baseWidth}-${Number.isInteger(mb) ? mb : mb.toFixed(1)}mb`;
}

/** Options of {@link ensureConvStackModel}. */
export interface EnsureOptions {
  /** Told before a model is generated (it takes a few seconds for 100 MB). */
  progress?: (message: string) => void;
}

/**
 * Returns the path of the model for `spec` in `dir`, generating it first unless a file made from the
 * same spec and generator version is already there (checked from the file's own metadata, reading
 * only its structure). Written atomically, so an interrupted run leaves no half file.
 *
 * @throws FileIOError when the folder or the file cannot be written.
 */
export function ensureConvStackModel(
  dir: string,
  spec: ConvStackSpec,
  options: EnsureOptions = {},
): { path: string; generated: boolean } {
  const path = join(dir, `${convStackName(spec)}.onnx`);
  if (existsSync(path) && statSync(path).isFile()) {
    try {
      const meta = readModelFile(path).metadataProps.find((e) => e.key === METADATA_KEY);
      if (meta?.value === specKey(spec)) return { path, generated: false };
    } catch {
      // Damaged or foreign file: make it again.
    }
  }
  options.progress?.(`generating ${path} (once; kept for later runs)`);
  mkdirSync(dir, { recursive: true });
  writeModelFile(path, convStackModel(spec));
  return { path, generated: true };
}
