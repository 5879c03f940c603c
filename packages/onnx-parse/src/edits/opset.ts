// Raising a model's default-domain opset. Most ops only gained types between opsets 7 and 13, so
// their nodes stay as they are; the few whose attributes became inputs (Clip, Slice, Pad, TopK,
// Squeeze, Unsqueeze, Split, ReduceSum) are rewritten; Softmax-family nodes keep their meaning only
// when they normalise over the last axis, which is checked. Anything else is refused by name
// rather than carried over with a meaning it no longer has.

import { checkInteger, GraphError } from '@edge/core';
import { attributeValue } from '../attributes.js';
import { DataType } from '../data-type.js';
import { Graph, isDefaultDomain } from '../graph.js';
import { runInference } from '../shape-inference/infer.js';
import { tensorFromArray } from '../tensor-data.js';
import type { AttributeProto, NodeProto, OnnxModel, TensorProto } from '../types.js';
import { change, type EditResult, withGraph } from './edit-result.js';

/** Ops whose changes from opset 7 to 13 add types or defaults that keep old models' meaning. */
const UNCHANGED = new Set(
  (
    'Abs Acos Acosh Add And ArgMax ArgMin Asin Asinh Atan Atanh AveragePool BatchNormalization Cast Ceil ' +
    'Celu Compress Resize ' +
    'Concat Constant ConstantOfShape Conv ConvInteger ConvTranspose Cos Cosh CumSum DepthToSpace ' +
    'DequantizeLinear Div Einsum Elu Equal Erf Exp Expand EyeLike Flatten Floor Gather GatherElements ' +
    'GatherND Gemm GlobalAveragePool GlobalLpPool GlobalMaxPool Greater GreaterOrEqual HardSigmoid ' +
    'Identity InstanceNormalization IsInf IsNaN LeakyRelu Less LessOrEqual Log LpNormalization LRN ' +
    'MatMul MatMulInteger Max MaxPool Mean MeanVarianceNormalization Min Mod Mul Neg NonMaxSuppression ' +
    'NonZero Not OneHot Or Pow PRelu QLinearConv QLinearMatMul QuantizeLinear Range Reciprocal ' +
    'ReduceL1 ReduceL2 ReduceLogSum ReduceLogSumExp ReduceMax ReduceMean ReduceMin ReduceProd ' +
    'ReduceSumSquare Relu Reshape ReverseSequence Round ScatterElements ScatterND Selu Shape Shrink ' +
    'Sigmoid Sign Sin Sinh Size Softplus Softsign SpaceToDepth Sqrt Sub Sum Tan Tanh ThresholdedRelu ' +
    'Tile Transpose Where Xor'
  ).split(' '),
);

/** Opset from which each op's meaning is covered by {@link UNCHANGED} (older versions differ). */
const SINCE: Record<string, number> = {
  BatchNormalization: 9,
  Resize: 11,
  NonMaxSuppression: 10,
  QuantizeLinear: 10,
  DequantizeLinear: 10,
};

const FLT_MAX = 3.4028234663852886e38;

function unsupported(node: NodeProto, from: number, to: number, why: string): GraphError {
  return new GraphError(
    `cannot raise node '${node.name || node.outputs[0]}' (${node.opType}) from opset ${from} to ${to}: ${why}`,
  );
}

/**
 * Raises the model's default-domain opset to `target` (at most 13), rewriting the nodes whose
 * attributes became inputs. Models already at or above `target` come back unchanged.
 *
 * @returns An `'upgrade-opset'` change counting the nodes rewritten.
 * @throws ArgumentError when `target` is not an integer from 7 to 13.
 * @throws GraphError naming the node when the model is older than opset 7, holds an op whose
 *   meaning changed in a way that is not rewritten (Upsample, Resize-10, Scan, If, Loop, a Softmax
 *   over other than the last axis, ...), or is structurally invalid.
 */
export function upgradeOpset(model: OnnxModel, target: number): EditResult {
  checkInteger('target', target, { min: 7, max: 13 });
  const graph = new Graph(model);
  const from = graph.opsetVersion('') ?? target;
  if (from >= target) return { model, changes: [] };
  if (from < 7) {
    throw new GraphError(`cannot raise a model from opset ${from} (older than 7) to ${target}`);
  }
  let types: ReturnType<typeof runInference>['types'] | undefined;
  const typeOf = (name: string) => {
    types ??= runInference(graph).types;
    return types.get(name);
  };
  const added: TensorProto[] = [];
  let counter = 0;
  const constant = (node: NodeProto, what: string, dataType: number, dims: number[], values: number[]) => {
    const name = `${node.name || node.outputs[0]}_${what}_${counter++}`;
    const data =
      dataType === DataType.INT64
        ? BigInt64Array.from(values, (v) => BigInt(v))
        : dataType === DataType.DOUBLE
          ? Float64Array.from(values)
          : Float32Array.from(values);
    added.push(tensorFromArray(name, dataType, dims, data));
    return name;
  };
  const ints = (a: AttributeProto | undefined) => (a ? (attributeValue(a) as number[]) : undefined);

  const nodes = graph.nodes.map((node): NodeProto => {
    if (!isDefaultDomain(node.domain)) return node;
    const op = node.opType;
    const attrs = new Map(node.attributes.map((a) => [a.name, a]));
    const keep = (...names: string[]) => node.attributes.filter((a) => !names.includes(a.name));
    const rewrite = (inputs: string[], dropped: string[]): NodeProto => ({
      ...node,
      inputs,
      attributes: keep(...dropped),
    });
    if ((SINCE[op] ?? 0) > from)
      throw unsupported(node, from, target, `${op} before opset ${SINCE[op]} differs`);
    if (UNCHANGED.has(op)) return node;
    switch (op) {
      case 'Clip': {
        if (from >= 11) return node;
        const elem = typeOf(node.inputs[0]!)?.elemType ?? DataType.FLOAT;
        if (elem !== DataType.FLOAT && elem !== DataType.DOUBLE) {
          throw unsupported(node, from, target, `Clip on ${elem} tensors is not rewritten`);
        }
        const bound = (name: string, fallback: number) => {
          const a = attrs.get(name);
          return constant(node, name, elem, [], [a ? (attributeValue(a) as number) : fallback]);
        };
        return rewrite([node.inputs[0]!, bound('min', -FLT_MAX), bound('max', FLT_MAX)], ['min', 'max']);
      }
      case 'Slice': {
        if (from >= 10) return node;
        const starts = ints(attrs.get('starts')) ?? [];
        const list = [
          node.inputs[0]!,
          constant(node, 'starts', DataType.INT64, [starts.length], starts),
          constant(node, 'ends', DataType.INT64, [starts.length], ints(attrs.get('ends')) ?? []),
        ];
        const axes = ints(attrs.get('axes'));
        if (axes) list.push(constant(node, 'axes', DataType.INT64, [axes.length], axes));
        return rewrite(list, ['starts', 'ends', 'axes']);
      }
      case 'Pad': {
        if (from >= 11) return node;
        const pads = ints(attrs.get('pads')) ?? [];
        const elem = typeOf(node.inputs[0]!)?.elemType ?? DataType.FLOAT;
        const value = attrs.get('value');
        const list = [node.inputs[0]!, constant(node, 'pads', DataType.INT64, [pads.length], pads)];
        if (value) list.push(constant(node, 'value', elem, [], [attributeValue(value) as number]));
        return rewrite(list, ['pads', 'value']);
      }
      case 'TopK': {
        if (from >= 10) return node;
        const k = attrs.get('k');
        if (!k) throw unsupported(node, from, target, 'TopK has no k');
        return rewrite(
          [node.inputs[0]!, constant(node, 'k', DataType.INT64, [1], [attributeValue(k) as number])],
          ['k'],
        );
      }
      case 'Squeeze':
      case 'Unsqueeze':
      case 'ReduceSum':
      case 'Split': {
        if (target < 13) return node;
        const name = op === 'Split' ? 'split' : 'axes';
        const values = ints(attrs.get(name));
        if (!values) return rewrite(node.inputs, []);
        return rewrite(
          [node.inputs[0]!, constant(node, name, DataType.INT64, [values.length], values)],
          [name],
        );
      }
      case 'Softmax':
      case 'LogSoftmax':
      case 'Hardmax': {
        if (target < 13) return node;
        const rank = typeOf(node.inputs[0]!)?.shape?.length;
        const axisAttr = attrs.get('axis');
        const axis = axisAttr ? (attributeValue(axisAttr) as number) : 1;
        if (rank === undefined) {
          throw unsupported(
            node,
            from,
            target,
            'the rank of its input is unknown, so its axis cannot be checked',
          );
        }
        if ((axis + rank) % rank !== rank - 1) {
          throw unsupported(
            node,
            from,
            target,
            `before opset 13 it normalises over axes ${axis}.. of a rank-${rank} input together, from 13 over axis ${axis} alone`,
          );
        }
        return node;
      }
      case 'Dropout':
        // From opset 12 the ratio is an input; at inference Dropout is the identity either way.
        return rewrite(node.inputs, ['ratio', 'is_test']);
      default:
        throw unsupported(node, from, target, `${op}'s meaning changed and is not rewritten here`);
    }
  });
  const opsetImports = model.opsetImports.map((o) =>
    isDefaultDomain(o.domain) ? { ...o, version: target } : o,
  );
  // IR 7 is the first that allows opset 13 (onnx's versioning table).
  const irVersion = Math.max(model.irVersion, target >= 13 ? 7 : target >= 10 ? 5 : 3);
  const rewritten = nodes.filter((n, k) => n !== graph.nodes[k]).length;
  return {
    model: {
      ...withGraph(model, { nodes, initializers: [...model.graph.initializers, ...added] }),
      irVersion,
      opsetImports,
    },
    changes: [
      change(
        'upgrade-opset',
        rewritten,
        `opset raised from ${from} to ${target}; ${rewritten} node(s) rewritten`,
      ),
    ],
  };
}
