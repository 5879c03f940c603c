// Builtin operator options: one field list per options table of schema.fbs that the rules need
// (the field's position in the list is its FlatBuffers field id). The same lists decode a file
// and encode one in the builder, so reader and writer cannot disagree. Option tables without a
// list here are kept as raw table references (their byte offset), not silently dropped.

import type { FlatTable } from './flatbuffers.js';
import { ACTIVATIONS, BUILTIN_OPTIONS, PADDINGS, TENSOR_TYPES } from './schema-names.js';

/** A decoded option value: numbers, booleans, enum names (`SAME`, `RELU6`), or integer lists. */
export type TfliteOptionValue = number | boolean | string | number[];

/** The builtin options of one operator. */
export interface TfliteOptions {
  /** Union member name from schema.fbs, e.g. `Conv2DOptions`. */
  type: string;
  /** Absolute byte offset of the options table in the file. */
  offset: number;
  /**
   * Decoded fields by their schema.fbs name (`stride_w`, `fused_activation_function`), with the
   * schema defaults filled in; empty when `decoded` is false.
   */
  values: Record<string, TfliteOptionValue>;
  /** False for option tables this reader keeps only as a raw reference (`offset`). */
  decoded: boolean;
}

type FieldKind = 'i32' | 'f32' | 'bool' | 'i32[]' | 'padding' | 'activation' | 'tensorType' | 'enum';

interface OptionField {
  name: string;
  kind: FieldKind;
  dflt?: number | boolean;
  names?: readonly string[];
}

const f = (name: string, kind: FieldKind, dflt?: number | boolean): OptionField =>
  dflt === undefined ? { name, kind } : { name, kind, dflt };
const e = (name: string, names: readonly string[]): OptionField => ({ name, kind: 'enum', names });
const padding = f('padding', 'padding');
const act = f('fused_activation_function', 'activation');

/** Field lists, in schema.fbs declaration order (= field id). */
const OPTION_FIELDS: Readonly<Record<string, readonly OptionField[]>> = {
  Conv2DOptions: [
    padding,
    f('stride_w', 'i32'),
    f('stride_h', 'i32'),
    act,
    f('dilation_w_factor', 'i32', 1),
    f('dilation_h_factor', 'i32', 1),
    f('quantized_bias_type', 'tensorType'),
  ],
  DepthwiseConv2DOptions: [
    padding,
    f('stride_w', 'i32'),
    f('stride_h', 'i32'),
    f('depth_multiplier', 'i32'),
    act,
    f('dilation_w_factor', 'i32', 1),
    f('dilation_h_factor', 'i32', 1),
  ],
  Pool2DOptions: [
    padding,
    f('stride_w', 'i32'),
    f('stride_h', 'i32'),
    f('filter_width', 'i32'),
    f('filter_height', 'i32'),
    act,
  ],
  FullyConnectedOptions: [
    act,
    e('weights_format', ['DEFAULT', 'SHUFFLED4x16INT8']),
    f('keep_num_dims', 'bool'),
    f('asymmetric_quantize_inputs', 'bool'),
    f('quantized_bias_type', 'tensorType'),
  ],
  SoftmaxOptions: [f('beta', 'f32')],
  ConcatenationOptions: [f('axis', 'i32'), act],
  AddOptions: [act, f('pot_scale_int16', 'bool', true)],
  SubOptions: [act, f('pot_scale_int16', 'bool', true)],
  MulOptions: [act],
  DivOptions: [act],
  L2NormOptions: [act],
  LocalResponseNormalizationOptions: [
    f('radius', 'i32'),
    f('bias', 'f32'),
    f('alpha', 'f32'),
    f('beta', 'f32'),
  ],
  ReshapeOptions: [f('new_shape', 'i32[]')],
  ResizeBilinearOptions: [
    f('new_height', 'i32'),
    f('new_width', 'i32'),
    f('align_corners', 'bool'),
    f('half_pixel_centers', 'bool'),
  ],
  ResizeNearestNeighborOptions: [f('align_corners', 'bool'), f('half_pixel_centers', 'bool')],
  TransposeConvOptions: [
    padding,
    f('stride_w', 'i32'),
    f('stride_h', 'i32'),
    act,
    f('quantized_bias_type', 'tensorType'),
  ],
  SpaceToDepthOptions: [f('block_size', 'i32')],
  DepthToSpaceOptions: [f('block_size', 'i32')],
  ReducerOptions: [f('keep_dims', 'bool')],
  SqueezeOptions: [f('squeeze_dims', 'i32[]')],
  SplitOptions: [f('num_splits', 'i32')],
  SplitVOptions: [f('num_splits', 'i32')],
  StridedSliceOptions: [
    f('begin_mask', 'i32'),
    f('end_mask', 'i32'),
    f('ellipsis_mask', 'i32'),
    f('new_axis_mask', 'i32'),
    f('shrink_axis_mask', 'i32'),
    f('offset', 'bool'),
  ],
  PackOptions: [f('values_count', 'i32'), f('axis', 'i32')],
  UnpackOptions: [f('num', 'i32'), f('axis', 'i32')],
  LeakyReluOptions: [f('alpha', 'f32')],
  GatherOptions: [f('axis', 'i32'), f('batch_dims', 'i32')],
  MirrorPadOptions: [e('mode', ['REFLECT', 'SYMMETRIC'])],
  CastOptions: [f('in_data_type', 'tensorType'), f('out_data_type', 'tensorType')],
  BatchMatMulOptions: [f('adj_x', 'bool'), f('adj_y', 'bool'), f('asymmetric_quantize_inputs', 'bool')],
  ArgMaxOptions: [f('output_type', 'tensorType')],
  ArgMinOptions: [f('output_type', 'tensorType')],
  ShapeOptions: [f('out_type', 'tensorType')],
  GeluOptions: [f('approximate', 'bool')],
  UnidirectionalSequenceLSTMOptions: [
    act,
    f('cell_clip', 'f32'),
    f('proj_clip', 'f32'),
    f('time_major', 'bool'),
    f('asymmetric_quantize_inputs', 'bool'),
    f('diagonal_recurrent_tensors', 'bool'),
  ],
  // Control flow: the subgraphs an operator runs.
  IfOptions: [f('then_subgraph_index', 'i32'), f('else_subgraph_index', 'i32')],
  WhileOptions: [f('cond_subgraph_index', 'i32'), f('body_subgraph_index', 'i32')],
  CallOnceOptions: [f('init_subgraph_index', 'i32')],
  CallOptions: [f('subgraph', 'i32')],
  // Option tables without fields: decoding them proves the table is well formed.
  PadOptions: [],
  PadV2Options: [],
  TransposeOptions: [],
  HardSwishOptions: [],
  DequantizeOptions: [],
  QuantizeOptions: [],
  MaximumMinimumOptions: [],
  ExpandDimsOptions: [],
  SliceOptions: [],
  ExpOptions: [],
  TileOptions: [],
};

function enumNames(field: OptionField): readonly string[] {
  if (field.kind === 'padding') return PADDINGS;
  if (field.kind === 'activation') return ACTIVATIONS;
  if (field.kind === 'tensorType') return TENSOR_TYPES;
  return field.names ?? [];
}

/** Name of option union type `code` (1-based; 0 is NONE), or `Options_<code>` when unknown. */
export function builtinOptionsName(code: number): string {
  return BUILTIN_OPTIONS[code - 1] ?? `Options_${code}`;
}

/** Decodes the options table `t` of union member `type`. */
export function decodeOptions(type: string, t: FlatTable): TfliteOptions {
  const fields = OPTION_FIELDS[type];
  const values: Record<string, TfliteOptionValue> = {};
  if (fields !== undefined) {
    fields.forEach((field, id) => {
      const dflt = field.dflt;
      switch (field.kind) {
        case 'i32':
          values[field.name] = t.i32(id, field.name, typeof dflt === 'number' ? dflt : 0);
          break;
        case 'f32':
          values[field.name] = t.f32(id, field.name, typeof dflt === 'number' ? dflt : 0);
          break;
        case 'bool':
          values[field.name] = t.bool(id, field.name, dflt === true);
          break;
        case 'i32[]':
          values[field.name] = t.numbers(id, field.name, 'i32') ?? [];
          break;
        default: {
          // Enums are stored as int8 (Padding, ActivationFunctionType, TensorType).
          const code = t.i8(id, field.name, typeof dflt === 'number' ? dflt : 0);
          values[field.name] = enumNames(field)[code] ?? `UNKNOWN_${code}`;
        }
      }
    });
  }
  return { type, offset: t.pos, values, decoded: fields !== undefined };
}
