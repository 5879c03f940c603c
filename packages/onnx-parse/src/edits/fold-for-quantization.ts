// Float32 rewrites that come before quantization, as TensorRT's builder makes them: a
// BatchNormalization, or a Mul/Add by a per-channel constant, right after a Conv or a
// ConvTranspose is folded into its weights and bias; `x * clip(x + 3, 0, 6) / 6` (hard-swish spelled out in elementary
// ops) becomes `x * HardSigmoid(x)`. Fewer float ops between INT8 convolutions means fewer
// Quantize/Dequantize steps at run time and fewer places for rounding error to enter.

import { attrFloat, attrInt } from '../attributes.js';
import { float, node as makeNode } from '../build.js';
import { DataType } from '../data-type.js';
import { Graph } from '../graph.js';
import { tensorFromArray, tensorValues } from '../tensor-data.js';
import type { NodeProto, OnnxModel, TensorProto } from '../types.js';
import { removeUnused } from './cleanup.js';
import { change, type EditChange, type EditResult, withGraph } from './edit-result.js';

interface ConvState {
  readonly node: NodeProto;
  weights: Float32Array;
  readonly dims: number[];
  /** Output channels. */
  readonly m: number;
  /** Output channel of weight element i. */
  readonly channel: (i: number) => number;
  bias: Float32Array;
  output: string;
  changed: boolean;
}

/**
 * Folds BatchNormalization and per-channel Mul/Add that follow a Conv or a ConvTranspose (any
 * group count) into it, and rewrites spelled-out hard-swish into HardSigmoid and Mul. The model computes the same function up to
 * float32 rounding; it is what `quantizeQdq` of `@edge/calibrate` quantizes by default.
 *
 * @returns A `'fold-into-conv'` change counting the nodes folded, and a `'hard-swish'` change
 *   counting the patterns rewritten (each only when non-zero).
 * @throws GraphError when the graph is structurally invalid.
 */
export function foldForQuantization(model: OnnxModel): EditResult {
  const graph = new Graph(model);
  const outputs = new Set(graph.outputs.map((v) => v.name));
  const constantValues = (name: string) => {
    const t = name ? graph.constant(name) : undefined;
    return t && t.dataType === DataType.FLOAT ? (tensorValues(t) as Float32Array) : undefined;
  };
  const only = (tensor: string, op: string) => {
    const c = graph.consumers(tensor);
    return c.length === 1 && c[0]!.opType === op && !outputs.has(tensor) ? c[0]! : undefined;
  };

  const removed = new Set<NodeProto>();
  const replaced = new Map<NodeProto, NodeProto>();
  const added: TensorProto[] = [];
  const convs = new Map<string, ConvState>();
  let folded = 0;
  let hardSwish = 0;

  for (const node of graph.nodes) {
    const transposed = node.opType === 'ConvTranspose';
    if (node.opType === 'Conv' || transposed) {
      const w = constantValues(node.inputs[1] ?? '');
      const b = node.inputs[2] ? constantValues(node.inputs[2]) : undefined;
      if (!w || (node.inputs[2] && !b)) continue;
      const dims = graph.constant(node.inputs[1]!)!.dims;
      // A ConvTranspose's weights are [input channels, output channels / group, ...]: input
      // channel k belongs to group floor(k / (C / group)), whose outputs start at group * dims[1].
      const group = transposed ? attrInt(node, 'group', 1) : 1;
      if (transposed && (group < 1 || dims[0]! % group !== 0)) continue;
      const perGroup = transposed ? dims[1]! : dims[0]!;
      const m = perGroup * group;
      const inner = dims.slice(transposed ? 2 : 1).reduce((a, v) => a * v, 1);
      const inputsPerGroup = dims[0]! / group;
      const transposedChannel = (i: number) => {
        const row = Math.floor(i / inner);
        return Math.floor(Math.floor(row / perGroup) / inputsPerGroup) * perGroup + (row % perGroup);
      };
      convs.set(node.outputs[0]!, {
        node,
        weights: w,
        dims,
        m,
        channel: transposed ? transposedChannel : (i) => Math.floor(i / inner),
        bias: b ? Float32Array.from(b) : new Float32Array(m),
        output: node.outputs[0]!,
        changed: false,
      });
      continue;
    }
    // A Mul/Add/BatchNormalization reading a Conv's (possibly already folded) output alone.
    const conv = node.inputs.map((i) => convs.get(i)).find((s) => s !== undefined);
    if (conv && graph.consumers(conv.output).length === 1 && !outputs.has(conv.output)) {
      const m = conv.m;
      const perChannel = (v: Float32Array | undefined) =>
        v && (v.length === 1 || v.length === m) ? (c: number) => v[v.length === 1 ? 0 : c]! : undefined;
      let scale: ((c: number) => number) | undefined;
      let shift: ((c: number) => number) | undefined;
      const other = node.inputs.length === 2 ? (node.inputs.find((i) => i !== conv.output) ?? '') : '';
      // One value, or one per channel laid out along the channel axis of an [N, M, H, W] output.
      const d = graph.constant(other)?.dims ?? [];
      const r = d.length;
      const channelShaped = d.every((v, k) => v === 1 || (k === r - 3 && v === m));
      if (node.opType === 'Mul' && channelShaped) scale = perChannel(constantValues(other));
      else if (node.opType === 'Add' && channelShaped) shift = perChannel(constantValues(other));
      else if (
        node.opType === 'BatchNormalization' &&
        node.inputs[0] === conv.output &&
        node.outputs.filter(Boolean).length === 1
      ) {
        const [gamma, beta, mean, variance] = node.inputs.slice(1, 5).map(constantValues);
        const eps = attrFloat(node, 'epsilon', 1e-5);
        if (gamma?.length === m && beta?.length === m && mean?.length === m && variance?.length === m) {
          const s = Float32Array.from(gamma, (g, c) => g / Math.sqrt(variance[c]! + eps));
          scale = (c) => s[c]!;
          shift = (c) => beta[c]! - mean[c]! * s[c]!;
        }
      }
      if (scale || shift) {
        const w = Float32Array.from(conv.weights);
        if (scale) for (let i = 0; i < w.length; i++) w[i]! *= scale(conv.channel(i));
        for (let c = 0; c < m; c++)
          conv.bias[c] = conv.bias[c]! * (scale ? scale(c) : 1) + (shift ? shift(c) : 0);
        conv.weights = w;
        conv.changed = true;
        convs.delete(conv.output);
        conv.output = node.outputs[0]!;
        convs.set(conv.output, conv);
        removed.add(node);
        folded++;
        continue;
      }
    }
    // x * clip(x + 3, 0, 6) / 6, with the Mul and the Div in either order.
    if (node.opType === 'Add') {
      const isThree = (i: string) => constantValues(i)?.length === 1 && constantValues(i)![0] === 3;
      const x = node.inputs.find((i) => !isThree(i));
      const three = node.inputs.find((i) => i !== x);
      if (node.inputs.length !== 2 || !x || !three || !isThree(three)) continue;
      const clip = only(node.outputs[0]!, 'Clip');
      const [lo, hi] = clip
        ? [constantValues(clip.inputs[1] ?? ''), constantValues(clip.inputs[2] ?? '')]
        : [];
      if (!clip || lo?.[0] !== 0 || hi?.[0] !== 6) continue;
      const c = clip.outputs[0]!;
      const next = graph.consumers(c);
      if (next.length !== 1 || outputs.has(c)) continue;
      const isDiv6 = (n: NodeProto | undefined) =>
        n?.opType === 'Div' && constantValues(n.inputs[1] ?? '')?.[0] === 6;
      const isMulX = (n: NodeProto | undefined) =>
        n?.opType === 'Mul' && n.inputs.includes(x) && n.inputs.length === 2;
      const first = next[0]!;
      const second =
        graph.consumers(first.outputs[0]!).length === 1 ? graph.consumers(first.outputs[0]!)[0] : undefined;
      if (!second || outputs.has(first.outputs[0]!)) continue;
      const ok = (isMulX(first) && isDiv6(second)) || (isDiv6(first) && isMulX(second));
      if (!ok) continue;
      const hs = `${clip.outputs[0]}_hardsigmoid`;
      replaced.set(
        node,
        makeNode(
          'HardSigmoid',
          [x],
          [hs],
          { alpha: float(1 / 6), beta: float(0.5) },
          { name: `${node.name || hs}_hardsigmoid` },
        ),
      );
      replaced.set(second, makeNode('Mul', [x, hs], [second.outputs[0]!], {}, { name: second.name }));
      removed.add(clip).add(first);
      hardSwish++;
    }
  }

  for (const conv of new Set(convs.values())) {
    if (!conv.changed) continue;
    const name = conv.node.name || conv.node.outputs[0]!;
    const w = `${name}_folded_weight`;
    const b = `${name}_folded_bias`;
    added.push(tensorFromArray(w, DataType.FLOAT, conv.dims, conv.weights));
    added.push(tensorFromArray(b, DataType.FLOAT, [conv.m], conv.bias));
    replaced.set(conv.node, { ...conv.node, inputs: [conv.node.inputs[0]!, w, b], outputs: [conv.output] });
  }
  const changes: EditChange[] = [];
  if (folded) {
    changes.push(
      change(
        'fold-into-conv',
        folded,
        `${folded} BatchNormalization/Mul/Add node(s) folded into the Conv or ConvTranspose before them`,
      ),
    );
  }
  if (hardSwish) {
    changes.push(
      change('hard-swish', hardSwish, `${hardSwish} hard-swish pattern(s) rewritten as x * HardSigmoid(x)`),
    );
  }
  if (removed.size === 0 && replaced.size === 0) return { model, changes };
  const nodes = graph.nodes.filter((n) => !removed.has(n)).map((n) => replaced.get(n) ?? n);
  const rewritten = withGraph(model, { nodes, initializers: [...model.graph.initializers, ...added] });
  return { model: removeUnused(rewritten).model, changes };
}
