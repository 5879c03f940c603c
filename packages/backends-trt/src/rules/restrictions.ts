// The "Restrictions" cells of onnx-tensorrt's operator documents as conditions. A cell is cut into
// clauses (sentences, <br /> lines); each clause is matched by exactly one entry of CLAUSES, which
// turns it into conditions that cite the row. A clause no entry matches is returned as unhandled, and
// the test over every data file fails on it, so a new document cannot slip through unread.

import type { ModelOp, OpCondition, RuleSource } from '@edge/core';
import type { OperatorDocument, OperatorRow } from './operator-documents.js';
import { constantInput, ints, isStatic, num, rank, spatial2dOr3d, str } from './predicates.js';

/** What a clause is checked against. */
export interface ClauseContext {
  readonly doc: OperatorDocument;
  readonly row: OperatorRow;
  /** The row's source (document, commit, line). */
  readonly source: RuleSource;
}

interface Clause {
  /** Matched against the clause with backslashes removed and whitespace collapsed. */
  readonly pattern: RegExp;
  /** Conditions for the clause; `match` is the pattern's match. */
  readonly build: (ctx: ClauseContext, match: RegExpExecArray) => OpCondition[];
}

/** A restriction cell cut into clauses: sentences and `<br />` lines, trailing dots and pipes removed. */
export function splitClauses(text: string): string[] {
  const clean = text
    .replace(/\\/g, '')
    .replace(/\s+/g, ' ')
    .replace(/[|\s]+$/, '')
    .trim();
  if (!clean) return [];
  return clean
    .split(/\s*<br\s*\/?>\s*|(?<=\.)\s+(?=[A-Z`"])/)
    .map((c) => c.replace(/\.$/, '').trim())
    .filter(Boolean);
}

const ONNX_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'FLOAT',
  2: 'UINT8',
  3: 'INT8',
  6: 'INT32',
  7: 'INT64',
  9: 'BOOL',
  10: 'FLOAT16',
  11: 'DOUBLE',
  16: 'BFLOAT16',
};

/** The document's type names (`FP32`) as ONNX TensorProto codes. */
const DOC_TYPES: Readonly<Record<string, number>> = {
  FP32: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  FP16: 10,
  DOUBLE: 11,
  BF16: 16,
};

/** Neutral element types as ONNX TensorProto codes (CastLike's target is input 1's type). */
const ELEMENT_CODES: Readonly<Record<string, number>> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
  bfloat16: 16,
};

function typeName(code: number): string {
  return ONNX_TYPE_NAMES[code] ?? `type ${code}`;
}

function attrAbsentOr(name: string, allowed: readonly (number | string)[]): (op: ModelOp) => true | string {
  return (op) => {
    const v = op.attributes[name];
    return v === undefined || allowed.includes(v as number | string) || `${name} is ${String(v)}`;
  };
}

function inputRank(i: number, ranks: readonly number[], label: string): OpCondition {
  return {
    description: `${label} has rank ${ranks.join(' or ')}`,
    test: (op) => {
      const t = op.inputs[i];
      const r = rank(t);
      return !t || r === undefined || ranks.includes(r) || `${label} has rank ${r}`;
    },
  };
}

function inputsAbsent(indices: readonly number[], names: readonly string[]): OpCondition {
  return {
    description: `no ${names.join(', ')} input`,
    test: (op) => {
      const k = indices.findIndex((i) => op.inputs[i]);
      return k < 0 || `input ${names[k]} is given`;
    },
  };
}

function outputsAbsent(from: number, what: string): OpCondition {
  return {
    description: `no ${what} output`,
    test: (op) => op.outputs.length <= from || `output '${op.outputs[from]!.name}' is requested`,
  };
}

function zeroValues(i: number, label: string): OpCondition {
  return {
    description: `${label} is zero`,
    test: (op) => {
      const t = op.inputs[i];
      if (!t) return true;
      if (!t.constant) return `'${t.name}' is computed at run time`;
      if (!t.values) return true;
      return (
        t.values.every((v) => v === 0) || `${label} holds ${[...new Set(t.values)].slice(0, 4).join(', ')}`
      );
    },
    fix: 'quantise symmetrically (zero point 0)',
  };
}

/** A clause that restricts no model: shown as a note where it applies. */
function note(description: string, applies: (op: ModelOp) => boolean = () => true): OpCondition {
  return { description, effect: 'note', test: (op) => !applies(op) || 'applies to this node' };
}

const constants = (pairs: readonly (readonly [number, string])[]): OpCondition[] =>
  pairs.map(([i, label]) => constantInput(i, label));

function resizeCtm(op: ModelOp): string {
  // Resize-10 has no attribute; its sampling is the asymmetric one.
  return op.version < 11 ? 'asymmetric' : str(op, 'coordinate_transformation_mode', 'half_pixel');
}

function listed(text: string): string[] {
  return [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
}

/** Labels of an Einsum term, with '...' as one label. */
function einsumTerms(op: ModelOp): { inputs: string[]; eq: string } {
  const eq = str(op, 'equation', '').replace(/\s+/g, '');
  return { inputs: (eq.split('->')[0] ?? '').split(','), eq };
}

const CLAUSES: readonly Clause[] = [
  {
    pattern: /^2D or 3D (pooling|convolutions|deconvolutions) only$/i,
    build: (_c, m) => [spatial2dOr3d(`the ${m[1]!.toLowerCase().replace(/s$/, '')}`)],
  },
  {
    pattern: /^`dilations` must be empty or all ones$/,
    build: () => [
      {
        description: 'dilations are all 1',
        test: (op) => ints(op, 'dilations').every((d) => d === 1) || `dilations are ${ints(op, 'dilations')}`,
      },
    ],
  },
  {
    // 7.x: the importer's convertDtype decides; onnx2trt_utils.cpp at the same commit.
    pattern: /^(Cast is )?only supported for (TRT|TensorRT) types$/i,
    build: (c) => {
      const line = { '7.0': 207, '7.1': 192, '7.2': 244 }[c.doc.tensorrt];
      const allowed = c.doc.tensorrt === '7.2' ? [1, 3, 10, 9, 6, 7, 11] : [1, 3, 10, 9, 6, 7];
      return [
        {
          description: `the target type is one the parser converts (${allowed.map(typeName).join(', ')})`,
          test: (op) => allowed.includes(num(op, 'to', 1)) || `to is ${typeName(num(op, 'to', 1))}`,
          fix: 'cast to float, float16, int32, int8 or bool',
          ...(line
            ? {
                source: {
                  ...c.source,
                  document: 'onnx-tensorrt onnx2trt_utils.cpp (convertDtype)',
                  path: 'onnx2trt_utils.cpp',
                  row: line,
                  url: `https://github.com/onnx/onnx-tensorrt/blob/${c.doc.source.commit}/onnx2trt_utils.cpp#L${line}`,
                  note: `the row says "${c.row.restrictions}"; which types that means is read from convertDtype`,
                },
              }
            : {}),
        },
      ];
    },
  },
  {
    pattern: /^`?min`? and `?max`? clip values must be (an )?initializers?$/,
    build: () =>
      constants([
        [1, 'min'],
        [2, 'max'],
      ]),
  },
  {
    pattern: /^Weights( `W`)? must be an? init(ai|ia)li[sz]er$/,
    build: () => [constantInput(1, 'W (weights)')],
  },
  {
    pattern: /^`axis` must be (an initializer|a build-time constant)$/,
    build: () => [constantInput(1, 'axis')],
  },
  {
    pattern: /^(Scales and zero-point value|`x_scale` and `x_zero_point`) must be initializers$/,
    build: () =>
      constants([
        [1, 'scale'],
        [2, 'zero point'],
      ]),
  },
  {
    pattern: /^Scales `y_scale` and zero-point `y_zero_point` must be initializers$/,
    build: () =>
      constants([
        [1, 'y_scale'],
        [2, 'y_zero_point'],
      ]),
  },
  {
    pattern: /^`([xy])_zero_point` must be (zero|0)$/,
    build: (_c, m) => [zeroValues(2, `${m[1]}_zero_point`)],
  },
  {
    pattern: /^`is_tra(i)?ning` must be an initializer and evaluate to False$/,
    build: () => [
      {
        description: 'training_mode is an initializer holding false',
        test: (op) => {
          const t = op.inputs[2];
          if (!t) return true;
          if (!t.constant) return `'${t.name}' is computed at run time`;
          return !t.values || t.values.every((v) => v === 0) || 'training_mode is true';
        },
      },
    ],
  },
  {
    pattern: /^Ellipsis and diagonal operations are not supported$/,
    build: () => [
      {
        description: 'no ellipsis or diagonal terms in the equation',
        test: (op) => {
          const { inputs, eq } = einsumTerms(op);
          const diagonal = inputs.some((t) => new Set(t).size !== t.length);
          return (!eq.includes('...') && !diagonal) || `equation is '${eq}'`;
        },
        fix: 'rewrite the Einsum as Transpose/Reshape/MatMul',
      },
    ],
  },
  {
    pattern: /^Broadcasting between inputs is not supported$/,
    build: () => [
      {
        description: 'a label has the same size in every input (no broadcasting)',
        test: (op) => {
          const { inputs } = einsumTerms(op);
          const size = new Map<string, number>();
          for (let k = 0; k < inputs.length; k++) {
            const shape = op.inputs[k]?.shape;
            const term = inputs[k]!;
            if (!shape || term.includes('.')) continue;
            for (let j = 0; j < term.length; j++) {
              const d = shape[j];
              if (typeof d !== 'number') continue;
              const seen = size.get(term[j]!);
              if (seen !== undefined && seen !== d) return `label '${term[j]}' is ${seen} and ${d}`;
              size.set(term[j]!, d);
            }
          }
          return true;
        },
      },
    ],
  },
  {
    pattern: /^`input` must have static dimensions$|^Dynamic input shapes are unsupported$/,
    build: () => [
      {
        description: 'the input has static dimensions',
        test: (op) => {
          const t = op.inputs[0];
          return !t?.shape || isStatic(t.shape) || `'${t.name}' has shape [${t.shape.map((d) => d ?? '?')}]`;
        },
        fix: 'fix the input shapes: edge convert --input-shape',
      },
    ],
  },
  {
    pattern: /^Only positive indices \(>=0\) are supported$/,
    build: () => [
      {
        description: 'indices are not negative',
        test: (op) => {
          const t = op.inputs[1];
          if (!t?.constant) return true;
          return !t.values || t.values.every((v) => v >= 0) || 'indices hold negative values';
        },
        fix: 'make the indices non-negative (add the axis size to negative ones)',
      },
      note('indices computed at run time must not be negative', (op) => op.inputs[1]?.constant === false),
    ],
  },
  {
    // The build flag of the parser itself; nothing a model can meet.
    pattern: /^Compile with `-DSUPPORT_NEGATIVE_GATHER=1` to enable support for negative indices$/,
    build: () => [],
  },
  {
    pattern: /^Input must be 4D input$/,
    build: () => [inputRank(0, [4], 'the input')],
  },
  {
    pattern: /^`axis` dimension of input must be a build-time constant$/,
    build: () => [
      {
        description: 'the size of the input along axis is fixed',
        test: (op) => {
          const s = op.inputs[0]?.shape;
          if (!s) return true;
          const a = num(op, 'axis', op.version >= 13 ? -1 : 1);
          const d = s[a < 0 ? a + s.length : a];
          return typeof d === 'number' || `the axis dimension is '${d ?? '?'}'`;
        },
      },
    ],
  },
  {
    pattern:
      /^Output tensors of the two conditional branches must have (broadcastable shapes|the same rank),? and must have different names$/,
    build: (_c, m) => [
      {
        description: `the two branches' outputs have different names and ${m[1]}`,
        test: (op) => {
          const [a, b] = op.subgraphs ?? [];
          if (!a || !b) return true;
          for (let k = 0; k < Math.min(a.outputs.length, b.outputs.length); k++) {
            const x = a.outputs[k]!;
            const y = b.outputs[k]!;
            if (x.name === y.name) return `both branches name output ${k} '${x.name}'`;
            if (x.shape && y.shape && m[1] === 'the same rank' && x.shape.length !== y.shape.length)
              return `output ${k} has rank ${x.shape.length} and ${y.shape.length}`;
          }
          return true;
        },
      },
    ],
  },
  {
    pattern:
      /^(Scales `scale` and biases `B` must be initializers|Scales and biases must be an initializer)$/,
    build: () =>
      constants([
        [1, 'scale'],
        [2, 'B'],
      ]),
  },
  {
    pattern: /^Input rank must be >=3 & <=5$/,
    build: () => [inputRank(0, [3, 4, 5], 'the input')],
  },
  {
    pattern:
      /^For bidirectional (GRU|LSTM|RNN)s, activation functions must be the same for both the forward and reverse pass$/,
    build: () => [
      {
        description: 'bidirectional: the same activation functions forward and reverse',
        test: (op) => {
          if (str(op, 'direction', 'forward') !== 'bidirectional') return true;
          const a = op.attributes.activations;
          if (!Array.isArray(a) || a.length === 0) return true;
          const half = a.length / 2;
          return a.slice(0, half).every((x, k) => x === a[half + k]) || `activations are ${a.join(', ')}`;
        },
      },
    ],
  },
  {
    pattern: /^`(input_forget|layout)` attribute must be 0$/,
    build: (_c, m) => [{ description: `${m[1]} is 0`, test: attrAbsentOr(m[1]!, [0]) }],
  },
  {
    pattern: /^Only the first output `Y` is supported$/,
    build: () => [outputsAbsent(1, 'Mean or InvStdDev')],
  },
  {
    pattern: /^Scan output length cannot be dynamic$/,
    build: () => [
      {
        description: 'with scan outputs, the trip count M is a build-time constant',
        test: (op) => {
          const carried = Math.max(0, op.inputs.length - 2);
          const scans = op.outputs.length - carried;
          const m = op.inputs[0];
          return scans <= 0 || !m || m.constant || `M '${m.name}' is computed at run time`;
        },
      },
    ],
  },
  {
    pattern: /^The shape of Loop carried dependencies must be the same across all loop iterations$/,
    build: () => [
      note('loop-carried values must keep their shape in every iteration (not checked: run time)'),
    ],
  },
  {
    pattern: /^`Indices` output tensor unsupported$/,
    build: () => [outputsAbsent(1, 'Indices')],
  },
  {
    pattern:
      /^Inputs `max_output_boxes_per_class`, `iou_threshold`, and `score_threshold` must be initializers$/,
    build: () =>
      constants([
        [2, 'max_output_boxes_per_class'],
        [3, 'iou_threshold'],
        [4, 'score_threshold'],
      ]),
  },
  {
    pattern: /^Output has fixed shape and is padded to \[`max_output_boxes_per_class`, 3\]$/,
    build: () => [note('the output has a fixed shape, padded to [max_output_boxes_per_class, 3]')],
  },
  {
    pattern: /^`depth` must be a build-time constant$/,
    build: () => [constantInput(1, 'depth')],
  },
  {
    pattern: /^Zero-(constant )?padding on (last 2|two) dimensions only$/,
    build: (_c, m) => [
      {
        description: `constant zero padding of ${m[2] === 'last 2' ? 'the last two dimensions' : 'at most two dimensions'} only`,
        test: (op) => {
          const mode = str(op, 'mode', 'constant');
          if (mode !== 'constant') return `mode is '${mode}'`;
          const value = op.inputs[2]?.values?.[0] ?? num(op, 'value', 0);
          if (value !== 0) return `the padding value is ${value}`;
          const p = op.inputs[1];
          const pads = op.version >= 11 ? p?.values : ints(op, 'pads');
          if (!pads) return p ? `pads '${p.name}' are computed at run time` : true;
          const r = pads.length / 2;
          const padded = [...Array(r).keys()].filter((k) => pads[k] !== 0 || pads[k + r] !== 0);
          const bad = m[2] === 'last 2' ? padded.some((k) => k < r - 2) : padded.length > 2;
          return !bad || `pads are [${pads.join(', ')}]`;
        },
        fix: 'pad with zeros along at most two (spatial) dimensions',
      },
    ],
  },
  {
    pattern: /^`axes` must be an initializer$/,
    build: (c) => {
      const i = c.row.op === 'Pad' ? 3 : c.row.op === 'Slice' ? 3 : 1;
      return [constantInput(i, 'axes')];
    },
  },
  {
    pattern: /^Slice axes must be an initializer$/,
    build: () => [constantInput(3, 'axes')],
  },
  {
    pattern: /^`axes` must be (a constant tensor|resolvable to a constant)$/,
    build: () => [constantInput(1, 'axes')],
  },
  {
    pattern: /^`split` must be an initializer$/,
    build: () => [constantInput(1, 'split')],
  },
  {
    pattern: /^`seed` value is ignored by TensorRT$/,
    build: () => [note('the seed attribute is ignored', (op) => op.attributes.seed !== undefined)],
  },
  {
    pattern:
      /^Float(ing point)? inputs are only supported if `?start`?, `?limit`?,? and `?delta`? inputs are initializers$/,
    build: () => [
      {
        description: 'float start/limit/delta are initializers',
        test: (op) => {
          const floats = op.inputs.some((t) => t?.dtype.startsWith('float'));
          return (
            !floats || op.inputs.every((t) => !t || t.constant) || 'float inputs are computed at run time'
          );
        },
      },
    ],
  },
  {
    pattern: /^Asymmetric coordinate transformation mode only$/,
    build: () => [
      {
        description: "coordinate_transformation_mode is 'asymmetric'",
        test: (op) => resizeCtm(op) === 'asymmetric' || `it is '${resizeCtm(op)}'`,
        fix: "export with coordinate_transformation_mode='asymmetric', or target TensorRT 8.x",
      },
    ],
  },
  {
    pattern: /^Nearest or Linear resizing mode only$/,
    build: () => [modeIn(['nearest', 'linear'])],
  },
  {
    pattern: /^"floor" mode only for resize_mode attribute$/,
    build: () => [
      {
        description: "nearest_mode is 'floor' (for mode 'nearest')",
        test: (op) => {
          const nearest = op.version < 11 ? 'floor' : str(op, 'nearest_mode', 'round_prefer_floor');
          return str(op, 'mode', 'nearest') !== 'nearest' || nearest === 'floor' || `it is '${nearest}'`;
        },
        fix: "export with nearest_mode='floor', or target TensorRT 8.x",
      },
    ],
  },
  {
    pattern: /^Supported resize transformation modes: (.+)$/,
    build: (_c, m) => {
      const modes = listed(m[1]!);
      return [
        {
          description: `coordinate_transformation_mode is one of ${modes.join(', ')}`,
          test: (op) => modes.includes(resizeCtm(op)) || `it is '${resizeCtm(op)}'`,
          fix: "export with coordinate_transformation_mode 'half_pixel' or 'asymmetric'",
        },
      ];
    },
  },
  {
    pattern: /^Supported resize modes: (.+)$/,
    build: (_c, m) => [modeIn(listed(m[1]!))],
  },
  {
    pattern: /^Supported nearest modes: (.+)$/,
    build: (_c, m) => {
      const modes = listed(m[1]!);
      return [
        {
          description: `nearest_mode is one of ${modes.join(', ')}`,
          test: (op) => {
            const n = str(op, 'nearest_mode', 'round_prefer_floor');
            return str(op, 'mode', 'nearest') !== 'nearest' || modes.includes(n) || `it is '${n}'`;
          },
        },
      ];
    },
  },
  {
    pattern: /^Supported aspect ratio policy: `stretch`$/,
    build: () => [
      {
        description: "keep_aspect_ratio_policy is 'stretch'",
        test: attrAbsentOr('keep_aspect_ratio_policy', ['stretch']),
      },
    ],
  },
  {
    pattern: /^When `scales` is a tensor input, `axes` must be an iota vector of length rank\(input\)$/,
    build: () => [
      {
        description: 'with scales computed at run time, axes is absent or [0, 1, ..., rank-1]',
        test: (op) => {
          const scales = op.inputs[2];
          const axes = ints(op, 'axes');
          if (!scales || scales.constant || axes.length === 0) return true;
          const r = rank(op.inputs[0]);
          const iota = axes.every((a, k) => a === k) && (r === undefined || axes.length === r);
          return iota || `axes are [${axes.join(', ')}]`;
        },
      },
    ],
  },
  {
    pattern: /^Antialiasing is not supported$/,
    build: () => [{ description: 'antialias is 0', test: attrAbsentOr('antialias', [0]) }],
  },
  {
    pattern: /^`reduction` (other than `none` )?is not supported$/,
    build: () => [{ description: "reduction is 'none'", test: attrAbsentOr('reduction', ['none']) }],
  },
  {
    pattern: /^`K` input must be an initializer$/,
    build: () => [constantInput(1, 'K')],
  },
  {
    pattern: /^`sorted` must be 1$/,
    build: () => [{ description: 'sorted is 1', test: attrAbsentOr('sorted', [1]) }],
  },
  {
    pattern: /^`K` input must be less than (\d+)$/,
    build: (_c, m) => {
      const limit = Number(m[1]);
      return [
        {
          description: `K is less than ${limit}`,
          test: (op) => {
            const k = op.inputs[1]?.values?.[0] ?? num(op, 'k', 0);
            return k < limit || `K is ${k}`;
          },
        },
        note(`K computed at run time must be less than ${limit}`, (op) => op.inputs[1]?.constant === false),
      ];
    },
  },
  {
    pattern: /^`sparse_value`, `value_string`, and `value_strings` attributes are unsupported$/,
    build: () => [
      {
        description: 'no sparse_value, value_string or value_strings attribute',
        test: (op) => {
          const a = ['sparse_value', 'value_string', 'value_strings'].find(
            (n) => op.attributes[n] !== undefined,
          );
          return !a || `${a} is set`;
        },
      },
    ],
  },
  {
    pattern: /^`input` must have 1D or 2D spatial dimensions$/,
    build: () => [inputRank(0, [3, 4], 'the input')],
  },
  {
    pattern: /^`pads` for the beginning and end along each spatial axis must be the same$/,
    build: () => [
      {
        description: 'pads are symmetric',
        test: (op) => {
          const p = ints(op, 'pads');
          const h = p.length / 2;
          return p.slice(0, h).every((v, k) => v === p[h + k]) || `pads are [${p.join(', ')}]`;
        },
      },
    ],
  },
  {
    pattern: /^`frame_step` and `window` must be an initializer$/,
    build: () =>
      constants([
        [1, 'frame_step'],
        [2, 'window'],
      ]),
  },
  {
    pattern: /^Input must be real-valued$/,
    build: () => [
      {
        description: 'the signal is real (last dimension 1)',
        test: (op) => {
          const s = op.inputs[0]?.shape;
          const last = s?.[s.length - 1];
          return typeof last !== 'number' || last === 1 || `the last dimension is ${last}`;
        },
      },
    ],
  },
  {
    pattern: /^`Q`, `K`, `V` and `attn_mask ?` must be 4D$/,
    build: () => [0, 1, 2, 3].map((i) => inputRank(i, [4], ['Q', 'K', 'V', 'attn_mask'][i]!)),
  },
  {
    pattern: /^`past_key`, `past_value` and `nonpad_kv_seqlen` inputs are unsupported$/,
    build: () => [inputsAbsent([4, 5, 6], ['past_key', 'past_value', 'nonpad_kv_seqlen'])],
  },
  {
    pattern: /^`present_key`, `present_value` and `qk_matmul_output` outputs are unsupported$/,
    build: () => [outputsAbsent(1, 'present_key, present_value or qk_matmul_output')],
  },
  {
    pattern: /^`qk_matmul_output_mode` and `softcap` attributes are unsupported$/,
    build: () => [
      { description: 'qk_matmul_output_mode is 0', test: attrAbsentOr('qk_matmul_output_mode', [0]) },
      { description: 'softcap is 0', test: attrAbsentOr('softcap', [0]) },
    ],
  },
  {
    // Says how the attributes are read, not what they must be.
    pattern:
      /^`q_num_heads` and `kv_num_heads` attributes are supported via being specified as the second dimension/,
    build: () => [],
  },
  {
    pattern: /^`position_ids` must be INT64$/,
    build: () => [
      {
        description: 'position_ids is INT64',
        test: (op) => {
          const t = op.inputs[3];
          return !t || t.dtype === 'int64' || t.dtype === 'unknown' || `position_ids is ${t.dtype}`;
        },
      },
    ],
  },
  {
    pattern: /^`past_cache` and `update` must be 4D$/,
    build: () => [inputRank(0, [4], 'past_cache'), inputRank(1, [4], 'update')],
  },
  {
    pattern: /^`axis` must be -2$/,
    build: () => [{ description: 'axis is -2', test: attrAbsentOr('axis', [-2]) }],
  },
];

function modeIn(modes: readonly string[]): OpCondition {
  return {
    description: `mode is one of ${modes.join(', ')}`,
    test: (op) => modes.includes(str(op, 'mode', 'nearest')) || `mode is '${str(op, 'mode', 'nearest')}'`,
    fix: "re-export with mode 'linear' or 'nearest'",
  };
}

/** Cast and CastLike: the target type must be one the row's "Supported Types" lists (8.4 on). */
function castTypes(ctx: ClauseContext): OpCondition[] {
  const { row, doc } = ctx;
  if ((row.op !== 'Cast' && row.op !== 'CastLike') || !row.types?.length) return [];
  const allowed = new Set(row.types.map((t) => DOC_TYPES[t]).filter((c): c is number => c !== undefined));
  // The notes: DOUBLE is cast down to FLOAT everywhere, INT64 to INT32 before 9.0.
  const castDown = doc.notes.filter((n) => /cast (down )?(INT64|DOUBLE)/i.test(n.text));
  for (const n of castDown) {
    if (/DOUBLE/.test(n.text)) allowed.add(11);
    if (/INT64/.test(n.text)) allowed.add(7);
  }
  const target = (op: ModelOp): number =>
    row.op === 'Cast' ? num(op, 'to', 1) : (ELEMENT_CODES[op.inputs[1]?.dtype ?? 'float32'] ?? 1);
  return [
    {
      description: `the target type is one the row lists (${[...allowed].map(typeName).join(', ')})`,
      test: (op) => allowed.has(target(op)) || `the target is ${typeName(target(op))}`,
      fix: `cast to one of ${[...allowed].map(typeName).join(', ')}`,
    },
  ];
}

/** The conditions of one row, and the clauses no entry understands. */
export function rowConditions(ctx: ClauseContext): { conditions: OpCondition[]; unhandled: string[] } {
  const conditions: OpCondition[] = [...castTypes(ctx)];
  const unhandled: string[] = [];
  const clauses = ctx.row.supported ? splitClauses(ctx.row.restrictions) : [];
  for (const clause of clauses) {
    let found = false;
    for (const c of CLAUSES) {
      const m = c.pattern.exec(clause);
      if (!m) continue;
      conditions.push(...c.build(ctx, m));
      found = true;
      break;
    }
    if (!found) unhandled.push(clause);
  }
  return {
    conditions: conditions.map((c) => ({ ...c, source: c.source ?? ctx.source })),
    unhandled,
  };
}
