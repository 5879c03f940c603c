// Google Coral Edge TPU: what the Edge TPU compiler maps to the accelerator. Everything else runs
// on the CPU through the TFLite interpreter, and the compiler partitions the graph only once: the
// first op it cannot map, and every op after it, run on the CPU ("rest of graph" fallback).
//
// The table follows the Coral page "TensorFlow models on the Edge TPU": the model requirements
// (8-bit quantised tensors, static sizes, constant parameters, at most three significant
// dimensions) and the "Supported operations" table, whose rows carry a minimum Edge TPU runtime
// version; the table's `version` is that runtime version (14, shipped with compiler 16.0).

import {
  formatShape,
  type GraphRule,
  type ModelGraph,
  type ModelOp,
  type OpCondition,
  type OpRule,
  type RuleSource,
  type RuleTable,
} from '@edge/core';
import { TFLITE_CUSTOM_DOMAIN, TFLITE_DOMAIN } from '../graph.js';
import {
  activations,
  constantInput,
  elementCount,
  graphIsQuantized,
  inputRank,
  isQuantized8,
  isStatic,
  significantDims,
  tensorsOf,
} from './tensors.js';

/** The Coral page the table follows. */
export const EDGETPU_SOURCE: RuleSource = {
  document: 'Coral docs: TensorFlow models on the Edge TPU (model requirements, supported operations)',
  version: 'Edge TPU Compiler 16.0 / Edge TPU runtime 14',
  url: 'https://coral.ai/docs/edgetpu/models-intro/#supported-operations',
  unverified: true,
  note:
    'the rows were written from the page; the copies stored for this project are older versions of it, ' +
    'without the runtime-version column, so the rows of runtime 13/14 (ExpandDims, Pack, PReLU, Quantize, ' +
    'ReduceMax/Min, Rsqrt, SquaredDifference, Sum, Transpose, TransposeConv, LSTM) and their limits could ' +
    'not be checked against it. The compiler may still refuse a supported op for size or precision reasons ' +
    '(the page says so for ResizeBilinear/ResizeNearestNeighbor); that is not modelled.',
};

const COMPILER_SOURCE: RuleSource = {
  document: 'Coral docs: Edge TPU Compiler (model partitioning)',
  version: 'Edge TPU Compiler 16.0',
  url: 'https://coral.ai/docs/edgetpu/compiler/',
  note: 'without --num_segments or delegate search, the first unsupported op and every op after it run on the CPU',
};

const QUANTIZE_FIX =
  'convert with full-integer post-training quantisation: TFLiteConverter with optimizations=[DEFAULT], a ' +
  'representative_dataset, target_spec.supported_ops=[TFLITE_BUILTINS_INT8] and inference_input_type/' +
  'inference_output_type int8 or uint8 (or quantisation-aware training), then run edgetpu_compiler';

// Conditions every op must meet on the Edge TPU, from the model requirements.

const EIGHT_BIT: OpCondition = {
  description:
    'its tensors are 8-bit quantised (int8/uint8 with scale; int32 only for constant biases and shapes)',
  reason: 'the Edge TPU computes only on 8-bit quantised tensors',
  fix: QUANTIZE_FIX,
  test: (op, graph) => {
    // A model with no quantised op at all is reported once, by the graph rule, not per op.
    if (!graphIsQuantized(graph)) return true;
    for (const t of tensorsOf(op)) {
      if (isQuantized8(t)) continue;
      if (t.constant && t.dtype === 'int32') continue;
      // QUANTIZE takes the float input of a model whose inside is quantised.
      if (op.opType === 'QUANTIZE' && op.inputs[0] === t) continue;
      return `tensor '${t.name}' is ${t.dtype}${t.quantization ? '' : ' without quantisation'}`;
    }
    return true;
  },
};

const THREE_DIMS: OpCondition = {
  description: 'its tensors have at most 3 dimensions greater than 1, all innermost',
  reason:
    'the Edge TPU handles tensors of up to 3 dimensions: in a longer shape only the 3 innermost may exceed 1',
  fix: 'reshape so that batch and any outer dimensions are 1 (e.g. run with batch 1)',
  test: (op) => {
    for (const t of activations(op)) {
      if (t.shape === null || t.shape.length <= 3) continue;
      const outer = t.shape.slice(0, t.shape.length - 3);
      if (outer.some((d) => d !== 1)) return `tensor '${t.name}' has shape ${formatShape(t.shape)}`;
    }
    return true;
  },
};

const COMMON: readonly OpCondition[] = [EIGHT_BIT, THREE_DIMS];

function noFusedActivation(): OpCondition {
  return {
    description: 'no fused activation function',
    fix: 'apply the activation as a separate op (RELU/RELU6) after this one',
    test: (op) => {
      const a = op.attributes.fused_activation_function;
      return a === undefined || a === 'NONE' || `fused_activation_function is ${String(a)}`;
    },
  };
}

function constantInputs(indices: readonly number[], what: string): OpCondition {
  return {
    description: `${what} are constant at compile time`,
    reason: 'model parameters must be constant when the Edge TPU compiler runs',
    fix: 'freeze the weights into the model (no weights computed at run time)',
    test: (op) => {
      for (const i of indices) {
        const t = op.inputs[i];
        if (t !== null && t !== undefined && !t.constant)
          return `input ${i} '${t.name}' is computed at run time`;
      }
      return true;
    },
  };
}

/** Axes of a reduction op (input 1), normalised; undefined when they are not constant. */
function reductionAxes(op: ModelOp): { axes: number[]; rank: number } | undefined {
  const rank = inputRank(op);
  if (rank === undefined) return undefined;
  const axes = constantInput(op, 1, rank);
  return axes === undefined ? undefined : { axes, rank };
}

function noBatchAxis(what: string): OpCondition {
  return {
    description: `no ${what} along the batch dimension`,
    test: (op) => {
      const r = reductionAxes(op);
      if (r === undefined) return 'the axes are not a constant input';
      return r.rank < 4 || !r.axes.includes(0) || `axes are [${r.axes.join(', ')}] on a rank-${r.rank} input`;
    },
  };
}

const CONCAT_CONSTANT: OpCondition = {
  description: 'a constant input is allowed only as one of exactly 2 inputs and only if it is all zeros',
  reason: 'the Edge TPU maps a concatenation with a constant only when it is a zero padding',
  test: (op) => {
    const consts = op.inputs.filter((t): t is NonNullable<typeof t> => t?.constant === true);
    if (consts.length === 0) return true;
    if (op.inputs.length !== 2) return `${consts.length} constant input(s) among ${op.inputs.length} inputs`;
    for (const t of consts) {
      // Values too large to carry cannot be checked here; the compiler will tell.
      if (t.values?.some((v) => v !== 0)) return `constant input '${t.name}' is not all zeros`;
    }
    return true;
  },
};

const SAME_DILATION: OpCondition = {
  description: 'the same dilation in x and y',
  test: (op) => {
    const w = op.attributes.dilation_w_factor ?? 1;
    const h = op.attributes.dilation_h_factor ?? 1;
    return w === h || `dilation is ${String(w)} (x) and ${String(h)} (y)`;
  },
};

function paddingRows(op: ModelOp): number[][] | undefined {
  const p = constantInput(op, 1);
  if (p === undefined) return undefined;
  const rows: number[][] = [];
  for (let i = 0; i + 1 < p.length; i += 2) rows.push([p[i]!, p[i + 1]!]);
  return rows;
}

const OP_RULES: readonly OpRule[] = [
  {
    op: [
      'ADD',
      'SUB',
      'MUL',
      'MAXIMUM',
      'MINIMUM',
      'LOGISTIC',
      'RELU',
      'RELU6',
      'RELU_N1_TO_1',
      'TANH',
      'L2_NORMALIZATION',
      'RESHAPE',
      'SLICE',
      'SPACE_TO_DEPTH',
      'RESIZE_BILINEAR',
      'RESIZE_NEAREST_NEIGHBOR',
    ],
    domain: TFLITE_DOMAIN,
    support: 'supported',
    conditions: COMMON,
    source: EDGETPU_SOURCE,
  },
  {
    op: ['AVERAGE_POOL_2D', 'MAX_POOL_2D'],
    domain: TFLITE_DOMAIN,
    support: 'supported',
    conditions: [...COMMON, noFusedActivation()],
    source: EDGETPU_SOURCE,
  },
  {
    op: 'CONCATENATION',
    domain: TFLITE_DOMAIN,
    support: 'supported',
    conditions: [...COMMON, noFusedActivation(), CONCAT_CONSTANT],
    source: EDGETPU_SOURCE,
  },
  {
    op: 'CONV_2D',
    domain: TFLITE_DOMAIN,
    support: 'supported',
    conditions: [...COMMON, SAME_DILATION, constantInputs([1, 2], 'weights and bias')],
    source: EDGETPU_SOURCE,
  },
  {
    op: 'DEPTHWISE_CONV_2D',
    domain: TFLITE_DOMAIN,
    support: 'supported',
    conditions: [
      ...COMMON,
      {
        description: 'no dilation',
        until: '13',
        test: (op) => {
          const w = op.attributes.dilation_w_factor ?? 1;
          const h = op.attributes.dilation_h_factor ?? 1;
          return (w === 1 && h === 1) || `dilation is ${String(w)}x${String(h)}`;
        },
      },
      { ...SAME_DILATION, since: '13' },
      constantInputs([1, 2], 'weights and bias'),
    ],
    source: EDGETPU_SOURCE,
  },
  {
    op: 'FULLY_CONNECTED',
    domain: TFLITE_DOMAIN,
    support: 'supported',
    conditions: [
      ...COMMON,
      {
        description: 'weights in the default format',
        test: (op) => {
          const f = op.attributes.weights_format;
          return f === undefined || f === 'DEFAULT' || `weights_format is ${String(f)}`;
        },
      },
      {
        description: 'the output tensor is one-dimensional (at most one dimension greater than 1)',
        test: (op) => {
          const out = op.outputs[0];
          return (
            out === undefined || significantDims(out) <= 1 || `output has shape ${formatShape(out.shape)}`
          );
        },
      },
      constantInputs([1, 2], 'weights and bias'),
    ],
    source: EDGETPU_SOURCE,
  },
  {
    op: 'MEAN',
    domain: TFLITE_DOMAIN,
    support: 'supported',
    conditions: [
      ...COMMON,
      {
        description: 'reduction along x and/or y only',
        until: '13',
        test: (op) => {
          const r = reductionAxes(op);
          if (r === undefined) return 'the axes are not a constant input';
          const xy = [r.rank - 3, r.rank - 2];
          return (
            r.axes.every((a) => xy.includes(a)) || `axes are [${r.axes.join(', ')}] on a rank-${r.rank} input`
          );
        },
      },
      { ...noBatchAxis('reduction'), since: '13' },
      {
        description: 'a reduction along z needs a z dimension that is a multiple of 4',
        since: '13',
        test: (op) => {
          const r = reductionAxes(op);
          if (r === undefined) return true;
          const z = op.inputs[0]?.shape?.[r.rank - 1];
          if (!r.axes.includes(r.rank - 1) || typeof z !== 'number') return true;
          return z % 4 === 0 || `z dimension is ${z}`;
        },
      },
    ],
    source: EDGETPU_SOURCE,
  },
  {
    op: 'PAD',
    domain: TFLITE_DOMAIN,
    support: 'supported',
    conditions: [
      ...COMMON,
      {
        description: 'padding along x and/or y only',
        until: '13',
        test: (op) => {
          const rows = paddingRows(op);
          if (rows === undefined) return 'the paddings are not a constant input';
          const xy = [rows.length - 3, rows.length - 2];
          const bad = rows.findIndex((r, i) => !xy.includes(i) && (r[0] !== 0 || r[1] !== 0));
          return bad < 0 || `dimension ${bad} is padded`;
        },
      },
      {
        description: 'no padding in the batch dimension',
        since: '13',
        test: (op) => {
          const rows = paddingRows(op);
          if (rows === undefined) return 'the paddings are not a constant input';
          const b = rows[0];
          return (
            rows.length < 4 ||
            b === undefined ||
            (b[0] === 0 && b[1] === 0) ||
            'the batch dimension is padded'
          );
        },
      },
    ],
    source: EDGETPU_SOURCE,
  },
  {
    op: 'SOFTMAX',
    domain: TFLITE_DOMAIN,
    support: 'supported',
    conditions: [
      ...COMMON,
      {
        description: 'a 1-D input of at most 16,000 elements',
        test: (op) => {
          const x = op.inputs[0];
          if (x === null || x === undefined) return true;
          if (significantDims(x) > 1) return `input has shape ${formatShape(x.shape)}`;
          const n = elementCount(x);
          return n === undefined || n <= 16_000 || `input has ${n} elements`;
        },
      },
    ],
    source: EDGETPU_SOURCE,
  },
  {
    op: 'SPLIT',
    domain: TFLITE_DOMAIN,
    support: 'supported',
    conditions: [
      ...COMMON,
      {
        description: 'no splitting in the batch dimension',
        test: (op) => {
          // SPLIT takes the axis first, then the tensor.
          const rank = op.inputs[1]?.shape?.length;
          const axis = rank === undefined ? undefined : constantInput(op, 0, rank);
          if (axis === undefined) return 'the axis is not a constant input';
          return rank! < 4 || axis[0] !== 0 || 'the axis is the batch dimension';
        },
      },
    ],
    source: EDGETPU_SOURCE,
  },
  {
    op: 'SQUEEZE',
    domain: TFLITE_DOMAIN,
    support: 'supported',
    conditions: [
      ...COMMON,
      {
        description: 'the dimensions of size 1 are leading ones (no relayout needed)',
        until: '13',
        test: (op) => {
          const s = op.inputs[0]?.shape;
          if (s === null || s === undefined) return true;
          const firstBig = s.findIndex((d) => d !== 1);
          return firstBig < 0 || !s.slice(firstBig).includes(1) || `input has shape ${formatShape(s)}`;
        },
      },
    ],
    source: EDGETPU_SOURCE,
  },
  {
    op: 'STRIDED_SLICE',
    domain: TFLITE_DOMAIN,
    support: 'supported',
    conditions: [
      ...COMMON,
      {
        description: 'all strides are 1, ellipsis_mask is 0 and new_axis_mask is 0',
        test: (op) => {
          const strides = constantInput(op, 3);
          if (strides === undefined) return 'the strides are not a constant input';
          if (strides.some((s) => s !== 1)) return `strides are [${strides.join(', ')}]`;
          if ((op.attributes.ellipsis_mask ?? 0) !== 0)
            return `ellipsis_mask is ${String(op.attributes.ellipsis_mask)}`;
          if ((op.attributes.new_axis_mask ?? 0) !== 0)
            return `new_axis_mask is ${String(op.attributes.new_axis_mask)}`;
          return true;
        },
      },
    ],
    source: EDGETPU_SOURCE,
  },
  {
    op: ['EXPAND_DIMS', 'QUANTIZE', 'TRANSPOSE_CONV'],
    domain: TFLITE_DOMAIN,
    support: 'supported',
    since: '13',
    conditions: COMMON,
    source: EDGETPU_SOURCE,
  },
  {
    op: 'PACK',
    domain: TFLITE_DOMAIN,
    support: 'supported',
    since: '13',
    conditions: [
      ...COMMON,
      {
        description: 'no packing in the batch dimension',
        test: (op) => (op.attributes.axis ?? 0) !== 0 || 'axis is 0',
      },
    ],
    source: EDGETPU_SOURCE,
  },
  {
    op: 'PRELU',
    domain: TFLITE_DOMAIN,
    support: 'supported',
    since: '13',
    conditions: [...COMMON, constantInputs([1], 'alpha')],
    source: EDGETPU_SOURCE,
  },
  {
    op: 'SUM',
    domain: TFLITE_DOMAIN,
    support: 'supported',
    since: '13',
    conditions: [...COMMON, noBatchAxis('reduction')],
    source: EDGETPU_SOURCE,
  },
  {
    op: ['REDUCE_MAX', 'REDUCE_MIN'],
    domain: TFLITE_DOMAIN,
    support: 'supported',
    since: '14',
    conditions: [...COMMON, noBatchAxis('reduction')],
    source: EDGETPU_SOURCE,
  },
  {
    op: ['RSQRT', 'SQUARED_DIFFERENCE', 'TRANSPOSE'],
    domain: TFLITE_DOMAIN,
    support: 'supported',
    since: '14',
    conditions: COMMON,
    source: EDGETPU_SOURCE,
  },
  {
    op: 'UNIDIRECTIONAL_SEQUENCE_LSTM',
    domain: TFLITE_DOMAIN,
    support: 'supported',
    since: '14',
    conditions: COMMON,
    source: EDGETPU_SOURCE,
  },
  {
    op: 'DEQUANTIZE',
    domain: TFLITE_DOMAIN,
    support: 'unsupported',
    reason: 'DEQUANTIZE is not an Edge TPU operation: float values are computed on the CPU',
    fix: QUANTIZE_FIX,
    source: EDGETPU_SOURCE,
  },
];

const NOT_QUANTIZED: GraphRule = {
  id: 'edgetpu-int8-model',
  description: 'the model is fully 8-bit quantised (int8/uint8 tensors)',
  effect: 'incompatible',
  fix: QUANTIZE_FIX,
  source: EDGETPU_SOURCE,
  check: (graph: ModelGraph) => {
    if (graph.ops.length === 0 || graphIsQuantized(graph)) return [];
    const input = graph.inputs[0];
    const types = new Set(graph.ops.flatMap((op) => op.outputs.map((t) => t.dtype)));
    const what = input ? `input '${input.name}' is ${input.dtype} ${formatShape(input.shape)}, ` : '';
    return [
      {
        message:
          `not 8-bit quantised: ${what}no op produces an int8/uint8 quantised tensor (op outputs are ` +
          `${[...types].join(', ')}); the Edge TPU compiler accepts only fully 8-bit quantised models`,
      },
    ];
  },
};

const STATIC_SHAPES: GraphRule = {
  id: 'edgetpu-static-shapes',
  description: 'tensor sizes are constant at compile time (no dynamic dimensions)',
  effect: 'incompatible',
  fix: 'convert with a fixed input shape (e.g. a concrete function with a fully specified input_signature, batch 1)',
  source: EDGETPU_SOURCE,
  check: (graph: ModelGraph) => {
    const seen = new Set<string>();
    const dynamic: string[] = [];
    const all = [...graph.inputs, ...graph.ops.flatMap((op) => tensorsOf(op))];
    for (const t of all) {
      if (seen.has(t.name)) continue;
      seen.add(t.name);
      if (!isStatic(t)) dynamic.push(`'${t.name}' ${formatShape(t.shape)}`);
    }
    if (dynamic.length === 0) return [];
    const shown = dynamic.slice(0, 5).join(', ');
    return [
      {
        message: `${dynamic.length} tensor(s) have dynamic dimensions: ${shown}${dynamic.length > 5 ? ', ...' : ''}`,
      },
    ];
  },
};

/**
 * Rule table of the Google Coral Edge TPU (id `edgetpu`): an accelerator whose unsupported ops,
 * from the first one on, run on the CPU through stock TFLite (rest-of-graph fallback to table
 * `tflite`). Version = Edge TPU runtime version (14); rows that need runtime 13 or 14 carry `since`.
 */
export const EDGETPU_RULES: RuleTable = {
  id: 'edgetpu',
  name: 'Google Edge TPU (compiler 16, runtime 14)',
  family: 'edgetpu',
  version: '14',
  kind: 'accelerator',
  formats: ['tflite'],
  domains: [TFLITE_DOMAIN, TFLITE_CUSTOM_DOMAIN],
  unlisted: 'unsupported',
  ops: OP_RULES,
  graph: [NOT_QUANTIZED, STATIC_SHAPES],
  fallback: { device: 'CPU', mode: 'rest-of-graph', target: 'tflite' },
  source: { ...EDGETPU_SOURCE, note: `${EDGETPU_SOURCE.note} Fallback: ${COMPILER_SOURCE.note}.` },
};
