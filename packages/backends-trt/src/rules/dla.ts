// NVIDIA DLA (Xavier: DLA 1.0; Orin: DLA 2.0) per TensorRT release of a JetPack. What runs on DLA is
// decided per TensorRT layer, so each ONNX op is mapped to the layer the parser imports it as
// (GlobalAveragePool becomes a Reduce layer, not a Pooling one) and gets that layer's limits from the
// DLA comments of include/NvInfer.h at the release branch (data/dla/nvinfer-<v>.json). On Orin, which
// ops run natively through TensorRT comes from NVIDIA's Orin operator matrix
// (data/dla/orin-operators.json); on Xavier, a layer without a DLA statement in the header is marked
// unverified. Every unsupported op falls back to the GPU (per node), each DLA<->GPU crossing costing a
// copy; the GPU table of the same release must take what falls back.

import {
  compareVersions,
  type GraphRule,
  type ModelGraph,
  type ModelOp,
  type OpCondition,
  type OpRule,
  type RuleSource,
  type RuleTable,
} from '@edge/core';
import n8_0 from '../../data/dla/nvinfer-8.0.json' with { type: 'json' };
import n8_2 from '../../data/dla/nvinfer-8.2.json' with { type: 'json' };
import n8_5 from '../../data/dla/nvinfer-8.5.json' with { type: 'json' };
import n8_6 from '../../data/dla/nvinfer-8.6.json' with { type: 'json' };
import n10_3 from '../../data/dla/nvinfer-10.3.json' with { type: 'json' };
import orin from '../../data/dla/orin-operators.json' with { type: 'json' };
import { ints, isStatic, kernelShape, num, rank, str, within } from './predicates.js';

interface HeaderComments {
  readonly source: {
    readonly repository: string;
    readonly branch: string;
    readonly path: string;
    readonly commit: string;
    readonly url: string;
  };
  readonly tensorrt: string;
  readonly comments: readonly {
    readonly class: string;
    readonly member: string;
    readonly text: string;
    readonly line: number;
  }[];
}

interface OrinRow {
  readonly op: string;
  readonly tensorrt: { readonly text: string; readonly status: string; readonly since?: string };
  readonly restrictions: string;
  readonly line: number;
}

const HEADERS: readonly HeaderComments[] = [n8_0, n8_2, n8_5, n8_6, n10_3];
const ORIN_ROWS: readonly OrinRow[] = orin.rows;

type Chip = 'xavier' | 'orin';

function header(version: string): HeaderComments {
  const h = HEADERS.find((x) => x.tensorrt === version);
  if (!h) throw new Error(`no NvInfer.h DLA comments for TensorRT ${version}`);
  return h;
}

/** The source of the first DLA comment of `cls` (and `member`, when given) at a release. */
function nv(version: string, cls: string, member?: RegExp): RuleSource | undefined {
  const h = header(version);
  const c = h.comments.find((x) => x.class === cls && (!member || member.test(x.member)));
  if (!c) return undefined;
  return {
    document: `NVIDIA/TensorRT include/NvInfer.h (${cls}${c.member ? `::${c.member}` : ''})`,
    version: `TensorRT ${version} (${h.source.branch})`,
    repository: h.source.repository,
    path: h.source.path,
    commit: h.source.commit,
    row: c.line,
    url: `${h.source.url}#L${c.line}`,
    note: c.text.length > 400 ? `${c.text.slice(0, 400)}...` : c.text,
  };
}

function orinSource(row: OrinRow): RuleSource {
  return {
    document: 'NVIDIA/Deep-Learning-Accelerator-SW operators/README.md (Orin DLA operator matrix)',
    version: `commit ${orin.source.commit.slice(0, 10)}`,
    repository: orin.source.repository,
    path: orin.source.path,
    commit: orin.source.commit,
    row: row.line,
    url: `${orin.source.url}#L${row.line}`,
  };
}

const GUIDE: RuleSource = {
  document: 'NVIDIA TensorRT documentation: DLA Supported Layers and Restrictions (General Restrictions)',
  version: 'latest (10.x)',
  url: 'https://docs.nvidia.com/deeplearning/tensorrt/latest/inference-library/dla-layer-restrictions.html',
};

/** The general restrictions were read from the latest guide only; for 8.x they are not settled there. */
function guide(version: string): RuleSource {
  return compareVersions(version, '10.0') >= 0
    ? GUIDE
    : {
        ...GUIDE,
        unverified: true,
        note: `read from the latest guide; the TensorRT ${version} guide was not read`,
      };
}

const IMPORTER_GLOBAL_POOL: RuleSource = {
  document: 'onnx-tensorrt builtin_op_importers.cpp (GlobalAveragePool, GlobalMaxPool)',
  version: 'TensorRT 8.6 (8.6-GA)',
  repository: 'onnx/onnx-tensorrt',
  path: 'builtin_op_importers.cpp',
  commit: 'ee0b139bc68567a89618c1d84dcd461cc144aad4',
  row: 1673,
  url: 'https://github.com/onnx/onnx-tensorrt/blob/ee0b139bc68567a89618c1d84dcd461cc144aad4/builtin_op_importers.cpp#L1673',
  note: '"GlobalAveragePool operators are implemented via Reduce layers rather than Pooling layers" (GlobalMaxPool: line 1704)',
};

// Conditions every op must meet on DLA (General Restrictions of the guide; FP16/INT8 only).

function common(version: string): OpCondition[] {
  const source = guide(version);
  return [
    {
      description: 'inputs and outputs are floating point or INT8 (DLA runs FP16 and INT8 only)',
      test: (op) => {
        // Comparisons (Orin) write booleans.
        const ok = (t: { dtype: string }, output: boolean) =>
          ['float32', 'float16', 'int8', 'uint8', 'unknown'].includes(t.dtype) ||
          (output && t.dtype === 'bool' && ['Equal', 'Greater', 'Less'].includes(op.opType));
        const bad =
          op.inputs.find((t) => t && !t.constant && !ok(t, false)) ?? op.outputs.find((t) => !ok(t, true));
        return !bad || `'${bad.name}' is ${bad.dtype}`;
      },
      fix: 'keep integer shape arithmetic out of the network (edge convert --fold-constants) and build with --fp16 or --int8',
      source,
    },
    {
      description: 'static shapes (DLA has no dynamic dimensions)',
      test: (op) => {
        const bad = [...op.inputs, ...op.outputs].find(
          (t) => t && !t.constant && t.shape && !isStatic(t.shape),
        );
        return !bad || `'${bad.name}' has shape [${bad.shape!.map((d) => d ?? '?').join(',')}]`;
      },
      fix: 'fix every input shape: edge convert --batch 1 --input-shape name=1x3xHxW',
      source,
    },
    {
      description: 'non-batch dimensions are at most 8192 and the batch at most 4096',
      test: (op) => {
        for (const t of [...op.inputs, ...op.outputs]) {
          if (!t || t.constant || !t.shape) continue;
          const [n, ...rest] = t.shape;
          if (typeof n === 'number' && n > 4096) return `'${t.name}' has batch ${n}`;
          const big = rest.find((d) => typeof d === 'number' && d > 8192);
          if (big !== undefined) return `'${t.name}' has a dimension of ${big}`;
        }
        return true;
      },
      source,
    },
  ];
}

function spatial2d(what: string): OpCondition {
  return {
    description: `${what} is 2D (input rank 4)`,
    test: (op) => {
      const r = rank(op.inputs[0]);
      return r === undefined || r === 4 || `input rank is ${r}`;
    },
  };
}

const strides = (op: ModelOp) => ints(op, 'strides', [1, 1]);
const pads = (op: ModelOp) => ints(op, 'pads', [0, 0, 0, 0]);
const outChannels = (op: ModelOp) => {
  const w = op.inputs[1]?.shape;
  return typeof w?.[0] === 'number' ? [w[0]] : [];
};

/** Deconvolution kernel and stride: [1,32], or 64/96/128 by 1. */
function deconvSize(description: string, values: (op: ModelOp) => readonly number[]): OpCondition {
  return {
    description,
    test: (op) => {
      const v = values(op);
      const small = v.every((x) => x >= 1 && x <= 32);
      const long = v.length === 2 && v.includes(1) && v.some((x) => [64, 96, 128].includes(x));
      return small || long || `found ${v.join('x')}`;
    },
  };
}

function withSource(conditions: OpCondition[], source: RuleSource | undefined): OpCondition[] {
  return conditions.map((c) => ({
    ...c,
    ...(source ? { source } : { source: { ...GUIDE, unverified: true } }),
  }));
}

/** The layers DLA runs, each with the ONNX ops the parser maps to it and its header limits. */
function layerRules(
  version: string,
  chip: Chip,
): { ops: string[]; layer: string; conditions: OpCondition[]; source?: RuleSource }[] {
  const v = version;
  return [
    {
      ops: ['Conv'],
      layer: 'IConvolutionLayer',
      source: nv(v, 'IConvolutionLayer'),
      conditions: [
        ...withSource([spatial2d('the convolution')], nv(v, 'IConvolutionLayer', /KernelSize/)),
        ...withSource(
          [within('kernel size is 1..32', kernelShape, 1, 32)],
          nv(v, 'IConvolutionLayer', /KernelSize/),
        ),
        ...withSource([within('stride is 1..8', strides, 1, 8)], nv(v, 'IConvolutionLayer', /Stride/)),
        ...withSource(
          [
            within('padding is 0..31', pads, 0, 31),
            {
              description: 'padding is less than the kernel size',
              test: (op) => {
                const k = kernelShape(op);
                const p = pads(op);
                const h = p.length / 2;
                const bad = p.findIndex((x, i) => k[i % h] !== undefined && x >= k[i % h]!);
                return bad < 0 || `pads [${p.join(', ')}] with kernel ${k.join('x')}`;
              },
              fix: 'pad explicitly (a Pad before the Conv) or use a larger kernel',
            },
          ],
          nv(v, 'IConvolutionLayer', /Padding/),
        ),
        ...withSource(
          [within('dilation is 1..32', (op) => ints(op, 'dilations', [1, 1]), 1, 32)],
          nv(v, 'IConvolutionLayer', /Dilation/),
        ),
        ...withSource(
          [within('output channels are 1..8192', outChannels, 1, 8192)],
          nv(v, 'IConvolutionLayer', /NbOutputMaps/),
        ),
        ...withSource(
          [within('groups are at most 8192', (op) => [num(op, 'group', 1)], 1, 8192)],
          nv(v, 'IConvolutionLayer', /NbGroups/),
        ),
      ],
    },
    {
      ops: ['ConvTranspose'],
      layer: 'IDeconvolutionLayer',
      source: nv(v, 'IDeconvolutionLayer'),
      conditions: [
        ...withSource(
          [spatial2d('the deconvolution'), deconvSize('kernel is 1..32, or 64/96/128 by 1', kernelShape)],
          nv(v, 'IDeconvolutionLayer', /KernelSize/),
        ),
        ...withSource(
          [deconvSize('stride is 1..32, or 64/96/128 by 1', strides)],
          nv(v, 'IDeconvolutionLayer', /Stride/),
        ),
        ...withSource([within('no padding', pads, 0, 0)], nv(v, 'IDeconvolutionLayer', /Padding/)),
        ...withSource(
          [within('group is 1', (op) => [num(op, 'group', 1)], 1, 1)],
          nv(v, 'IDeconvolutionLayer', /NbGroups/),
        ),
        ...withSource(
          [within('output channels are 1..8192', outChannels, 1, 8192)],
          nv(v, 'IDeconvolutionLayer', /NbOutputMaps/),
        ),
      ],
    },
    {
      ops: ['MaxPool', 'AveragePool'],
      layer: 'IPoolingLayer',
      source: nv(v, 'IPoolingLayer'),
      conditions: [
        ...withSource(
          [spatial2d('the pooling'), within('window is 1..8', (op) => ints(op, 'kernel_shape'), 1, 8)],
          nv(v, 'IPoolingLayer', /WindowSize/),
        ),
        ...withSource([within('stride is 1..16', strides, 1, 16)], nv(v, 'IPoolingLayer', /Stride/)),
        ...withSource([within('padding is 0..7', pads, 0, 7)], nv(v, 'IPoolingLayer', /Padding/)),
        ...(chip === 'xavier'
          ? withSource(
              [
                {
                  description: 'average pooling counts the padding (count_include_pad=1) when it pads',
                  test: (op) =>
                    op.opType !== 'AveragePool' ||
                    pads(op).every((p) => p === 0) ||
                    num(op, 'count_include_pad', 0) === 1 ||
                    'count_include_pad is 0 with padding',
                  fix: 'export with count_include_pad=1, or pad explicitly before the pooling',
                },
              ],
              nv(v, 'IPoolingLayer', /AverageCountExcludesPadding/),
            )
          : []),
      ],
    },
    {
      ops: ['Relu', 'Sigmoid', 'Tanh', 'Clip', 'LeakyRelu'],
      layer: 'IActivationLayer',
      source: nv(v, 'IActivationLayer'),
      conditions: withSource(
        [
          {
            description:
              'the activation is ReLU, Sigmoid, TanH or Clip (the header lists kRELU, kSIGMOID, kTANH, kCLIP)',
            // Orin's operator matrix marks LeakyRelu native; the header's list is what Xavier gets.
            test: (op) => chip === 'orin' || op.opType !== 'LeakyRelu' || 'LeakyRelu is kLEAKY_RELU',
          },
          {
            description: 'Clip bounds are build-time constants',
            test: (op) =>
              op.opType !== 'Clip' ||
              op.inputs.slice(1).every((t) => !t || t.constant) ||
              'a bound is computed at run time',
          },
        ],
        nv(v, 'IActivationLayer'),
      ),
    },
    {
      ops: ['Add', 'Sub', 'Mul', 'Max', 'Min', 'Sum', 'Div', 'Equal', 'Greater', 'Less'],
      layer: 'IElementWiseLayer',
      source: nv(v, 'IElementWiseLayer', /setOperation/) ?? nv(v, 'IElementWiseLayer'),
      conditions: withSource(
        [
          {
            description:
              'the operation is sum, product, max, min or sub (the header list); Orin adds what its matrix marks native',
            test: (op) =>
              chip === 'orin' ||
              ['Add', 'Sub', 'Mul', 'Max', 'Min', 'Sum'].includes(op.opType) ||
              `${op.opType} is not in the list`,
          },
        ],
        nv(v, 'IElementWiseLayer', /setOperation/) ?? nv(v, 'IElementWiseLayer'),
      ),
    },
    {
      ops: ['LRN'],
      layer: 'ILRNLayer',
      source: nv(v, 'ILRNLayer'),
      conditions: withSource(
        [
          {
            description: 'window size is 3, 5, 7 or 9',
            test: (op) => [3, 5, 7, 9].includes(num(op, 'size', 0)) || `size is ${num(op, 'size', 0)}`,
          },
        ],
        nv(v, 'ILRNLayer'),
      ),
    },
    {
      ops: ['Concat'],
      layer: 'IConcatenationLayer',
      source: nv(v, 'IConcatenationLayer'),
      conditions: withSource(
        [
          {
            description: 'the axis is the third to last (C of NCHW)',
            test: (op) => {
              const r = rank(op.inputs[0]) ?? 4;
              const a = num(op, 'axis', 1);
              return a === r - 3 || a === -3 || `axis is ${a} on rank ${r}`;
            },
            fix: 'concatenate on channels, or transpose around the Concat',
          },
        ],
        nv(v, 'IConcatenationLayer'),
      ),
    },
    {
      ops: ['Softmax'],
      layer: 'ISoftMaxLayer',
      source: nv(v, 'ISoftMaxLayer'),
      conditions: withSource(
        [
          {
            description:
              'not on Xavier; on Orin the axis is a channel or spatial one, at most 8192 (1024 when another non-batch dimension exceeds 1)',
            test: (op) => {
              if (chip === 'xavier') return 'Xavier runs no Softmax on DLA';
              const s = op.inputs[0]?.shape;
              if (!s) return true;
              const a = num(op, 'axis', op.version >= 13 ? -1 : 1);
              const axis = a < 0 ? a + s.length : a;
              if (axis === 0) return 'axis is the batch';
              const n = s[axis];
              const others = s.some((d, k) => k !== axis && k !== 0 && d !== 1);
              const limit = others ? 1024 : 8192;
              return typeof n !== 'number' || n <= limit || `the axis has ${n} elements (limit ${limit})`;
            },
          },
        ],
        nv(v, 'ISoftMaxLayer'),
      ),
    },
    {
      ops: ['Resize', 'Upsample'],
      layer: 'IResizeLayer',
      source: nv(v, 'IResizeLayer'),
      conditions: [
        ...withSource([resizeMode()], nv(v, 'IResizeLayer', /^$/) ?? nv(v, 'IResizeLayer')),
        ...withSource(
          [resizeScales(), resizeNoSizes()],
          nv(v, 'IResizeLayer', /setScales/) ?? nv(v, 'IResizeLayer'),
        ),
      ],
    },
    {
      ops: ['Slice', 'Split'],
      layer: 'ISliceLayer',
      source: nv(v, 'ISliceLayer'),
      conditions: withSource(
        [
          {
            description: 'starts, ends, axes and steps are build-time constants',
            test: (op) =>
              op.inputs.slice(1).every((t) => !t || t.constant) ||
              'a slice parameter is computed at run time',
            fix: 'fold the slice parameters into constants (edge convert --fold-constants)',
          },
          {
            description: 'every step is 1',
            test: (op) =>
              (op.inputs[4]?.values ?? []).every((x) => x === 1) || `steps are [${op.inputs[4]?.values}]`,
          },
          { ...spatial2d('the input'), description: 'the input has four dimensions' },
          {
            description: 'no slicing of the first dimension',
            test: (op) => {
              if (op.opType === 'Split') return num(op, 'axis', 0) !== 0 || 'split along dimension 0';
              const axes = op.inputs[3]?.values ?? [0, 1, 2, 3].slice(0, op.inputs[1]?.values?.length ?? 0);
              return !axes.includes(0) || 'dimension 0 is sliced';
            },
          },
        ],
        nv(v, 'ISliceLayer'),
      ),
    },
    {
      ops: ['PRelu'],
      layer: 'IParametricReLULayer',
      source: nv(v, 'IParametricReLULayer'),
      conditions: withSource(
        [
          {
            description: 'the slope is a build-time constant',
            test: (op) => op.inputs[1]?.constant !== false || 'the slope is computed at run time',
          },
        ],
        nv(v, 'IParametricReLULayer'),
      ),
    },
    {
      ops: ['Abs', 'Sin', 'Cos', 'Atanh'],
      layer: 'IUnaryLayer',
      source: nv(v, 'IUnaryLayer'),
      conditions: withSource(
        [
          {
            description: 'the operation is Abs (the header list); Orin adds what its matrix marks native',
            test: (op) => chip === 'orin' || op.opType === 'Abs' || `${op.opType} is not kABS`,
          },
        ],
        nv(v, 'IUnaryLayer'),
      ),
    },
    {
      ops: ['Gemm', 'MatMul'],
      layer: 'IFullyConnectedLayer / IMatrixMultiplyLayer',
      source: nv(v, 'IFullyConnectedLayer'),
      conditions: withSource(
        [
          {
            description: 'the second input (weights) is a constant',
            test: (op) => op.inputs[1]?.constant !== false || 'the weights are computed at run time',
          },
        ],
        nv(v, 'IFullyConnectedLayer'),
      ),
    },
    {
      ops: ['BatchNormalization'],
      layer: 'IScaleLayer',
      conditions: [],
    },
    {
      ops: ['Reshape', 'Transpose'],
      layer: 'IShuffleLayer',
      conditions: [],
    },
    {
      ops: ['Shape', 'ConstantOfShape'],
      layer: '(folded at build time)',
      conditions: [
        {
          description: 'the value can be inferred at build time (static input shape)',
          test: (op) => isStatic(op.inputs[0]?.shape) || 'the input shape is dynamic',
        },
      ],
    },
  ];
}

function resizeMode(): OpCondition {
  return {
    description:
      'nearest with (asymmetric, floor) or (half_pixel, round_prefer_floor/round_prefer_ceil); linear with half_pixel',
    test: (op) => {
      const mode = str(op, 'mode', 'nearest');
      const ctm =
        op.opType === 'Upsample' || op.version < 11
          ? 'asymmetric'
          : str(op, 'coordinate_transformation_mode', 'half_pixel');
      const nearest =
        op.opType === 'Upsample' || op.version < 11 ? 'floor' : str(op, 'nearest_mode', 'round_prefer_floor');
      if (mode === 'nearest') {
        const ok =
          (ctm === 'asymmetric' && nearest === 'floor') ||
          (ctm === 'half_pixel' && ['round_prefer_floor', 'round_prefer_ceil'].includes(nearest));
        return ok || `nearest with ${ctm}/${nearest}`;
      }
      if (mode === 'linear') return ctm === 'half_pixel' || `linear with ${ctm}`;
      return `mode is '${mode}'`;
    },
    fix: "export nearest with coordinate_transformation_mode='asymmetric', nearest_mode='floor', or linear with 'half_pixel'",
  };
}

function resizeScales(): OpCondition {
  return {
    description: 'four scales: 1, 1, then integers 1..32 (nearest) or 1..4 (linear) on H and W',
    test: (op) => {
      const scales = op.opType === 'Upsample' ? op.inputs[1]?.values : op.inputs[2]?.values;
      const fromShapes = (): number[] | undefined => {
        const a = op.inputs[0]?.shape;
        const b = op.outputs[0]?.shape;
        if (!a || !b || a.length !== b.length) return undefined;
        return a.map((d, k) =>
          typeof d === 'number' && typeof b[k] === 'number' ? (b[k] as number) / d : Number.NaN,
        );
      };
      const s = scales?.length ? [...scales] : fromShapes();
      if (!s) return 'the scales are not known at build time';
      if (s.length !== 4) return `${s.length} scales`;
      const max = str(op, 'mode', 'nearest') === 'linear' ? 4 : 32;
      const ok =
        s[0] === 1 && s[1] === 1 && s.slice(2).every((x) => Number.isInteger(x) && x >= 1 && x <= max);
      return ok || `scales are [${s.map((x) => (Number.isNaN(x) ? '?' : x)).join(', ')}]`;
    },
  };
}

function resizeNoSizes(): OpCondition {
  return {
    description: 'scales, not output sizes (setOutputDimensions is not supported on DLA)',
    test: (op) => op.opType === 'Upsample' || !op.inputs[3] || 'the sizes input is given',
    fix: 'export Resize with scales instead of sizes',
  };
}

/** Ops the Orin matrix marks native through TensorRT at this release. */
function orinNative(version: string): Map<string, OrinRow> {
  const out = new Map<string, OrinRow>();
  for (const r of ORIN_ROWS) {
    if (out.has(r.op)) continue;
    out.set(r.op, r);
  }
  return new Map(
    [...out].filter(
      ([, r]) =>
        (r.tensorrt.status === 'native' &&
          (!r.tensorrt.since || compareVersions(version, r.tensorrt.since) >= 0)) ||
        r.tensorrt.status === 'build-time',
    ),
  );
}

function dlaRules(version: string, chip: Chip): OpRule[] {
  const base = common(version);
  const rules: OpRule[] = [];
  const native = chip === 'orin' ? orinNative(version) : undefined;
  for (const layer of layerRules(version, chip)) {
    for (const op of layer.ops) {
      if (native) {
        const row = native.get(op);
        if (!row) continue;
        // A limit no header comment states at this release is the matrix row's ("The second input must be a constant").
        const conditions = layer.conditions.map((c) =>
          c.source?.unverified && c.source.document === GUIDE.document && !c.source.note
            ? { ...c, source: orinSource(row) }
            : c,
        );
        rules.push({
          op,
          support: 'supported',
          conditions: [...base, ...conditions],
          source: orinSource(row),
        });
        continue;
      }
      // Xavier: ops the header's layer comment does not cover for Xavier are not listed (GPU).
      if (
        [
          'LeakyRelu',
          'Div',
          'Equal',
          'Greater',
          'Less',
          'Softmax',
          'Sin',
          'Cos',
          'Atanh',
          'Reshape',
          'Transpose',
          'Shape',
          'ConstantOfShape',
        ].includes(op)
      )
        continue;
      const mapped = ['Gemm', 'MatMul'].includes(op)
        ? {
            ...(layer.source ?? GUIDE),
            unverified: true,
            note: 'the parser may import it as IMatrixMultiplyLayer, which no DLA statement of the header covers',
          }
        : layer.source;
      const source = mapped ?? {
        ...GUIDE,
        unverified: true,
        note: `${layer.layer}: no DLA statement in NvInfer.h ${version}; its DLA support on Xavier is not settled by a document read here`,
      };
      rules.push({ op, support: 'supported', conditions: [...base, ...layer.conditions], source });
    }
  }
  // Global pooling is imported as a Reduce layer.
  for (const op of ['GlobalAveragePool', 'GlobalMaxPool']) {
    if (native?.has(op)) {
      rules.push({ op, support: 'supported', conditions: base, source: orinSource(native.get(op)!) });
      continue;
    }
    rules.push({
      op,
      support: 'unsupported',
      reason: `${op} is imported as a Reduce layer, which DLA does not run${chip === 'orin' ? ' at this release (Orin matrix)' : ''}`,
      fix: 'replace it with an AveragePool/MaxPool whose window is the whole (at most 8x8) map, or accept the GPU fallback',
      source: chip === 'orin' ? orinSource(ORIN_ROWS.find((r) => r.op === op)!) : IMPORTER_GLOBAL_POOL,
    });
  }
  if (chip === 'orin') {
    for (const r of ORIN_ROWS) {
      if (native?.has(r.op) || rules.some((x) => x.op === r.op)) continue;
      rules.push({
        op: r.op,
        support: 'unsupported',
        reason: `the Orin DLA matrix says "${r.tensorrt.text.replace(/\[See RFE\]\([^)]*\)/, 'not supported through TensorRT (request for enhancement)')}"${r.restrictions ? `: ${r.restrictions.replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')}` : ''}`,
        source: orinSource(r),
      });
    }
  }
  return rules;
}

const PRECISION = (version: string): GraphRule => ({
  id: 'precision',
  description: 'DLA runs FP16 or INT8 only',
  effect: 'note',
  check: (g: ModelGraph) =>
    g.inputs.some((t) => t.dtype === 'float32')
      ? [{ message: 'build with --fp16 (or --int8 with a calibration cache); FP32 layers cannot use DLA' }]
      : [],
  source: guide(version),
});

const JETSON: Readonly<Record<Chip, readonly string[]>> = {
  xavier: ['8.0', '8.2', '8.5'],
  orin: ['8.5', '8.6', '10.3'],
};

function dlaTable(chip: Chip, version: string): RuleTable {
  const name = chip === 'xavier' ? 'Xavier (DLA 1.0)' : 'Orin (DLA 2.0)';
  const h = header(version);
  return {
    id: `dla-${chip}-${version}`,
    name: `DLA of ${name}, TensorRT ${version}`,
    family: 'dla',
    version,
    kind: 'accelerator',
    formats: ['onnx'],
    domains: [''],
    unlisted: 'unsupported',
    ops: dlaRules(version, chip),
    graph: [PRECISION(version)],
    fallback: { device: 'GPU', mode: 'per-node', target: `trt-${version}` },
    source:
      chip === 'orin'
        ? {
            ...orinSource(ORIN_ROWS[0]!),
            row: undefined,
            url: orin.source.url,
            note: `layer limits: ${h.source.url}`,
          }
        : {
            document: 'NVIDIA/TensorRT include/NvInfer.h (DLA comments)',
            version: `TensorRT ${version} (${h.source.branch})`,
            repository: h.source.repository,
            path: h.source.path,
            commit: h.source.commit,
            url: h.source.url,
          },
  };
}

/** DLA tables per chip and TensorRT release of a JetPack: Xavier 8.0, 8.2, 8.5; Orin 8.5, 8.6, 10.3. */
export const DLA_RULES: readonly RuleTable[] = (['xavier', 'orin'] as const).flatMap((chip) =>
  JETSON[chip].map((v) => dlaTable(chip, v)),
);
