// Builtin operator options: a decoder for each options table of schema.fbs that the rules need,
// written over the flatc-generated classes (field ids, types and defaults come from them). Values
// are keyed by their schema.fbs field names, enums by member name. Option tables without a decoder
// here are kept as raw table references (their byte offset), not silently dropped.

import type { ByteBuffer } from 'flatbuffers';
import {
  ActivationFunctionType,
  AddOptions,
  ArgMaxOptions,
  ArgMinOptions,
  BatchMatMulOptions,
  CallOnceOptions,
  CallOptions,
  CastOptions,
  ConcatenationOptions,
  Conv2DOptions,
  DepthToSpaceOptions,
  DepthwiseConv2DOptions,
  DivOptions,
  FullyConnectedOptions,
  FullyConnectedOptionsWeightsFormat,
  GatherOptions,
  GeluOptions,
  IfOptions,
  L2NormOptions,
  LeakyReluOptions,
  LocalResponseNormalizationOptions,
  MirrorPadMode,
  MirrorPadOptions,
  MulOptions,
  PackOptions,
  Padding,
  Pool2DOptions,
  ReducerOptions,
  ReshapeOptions,
  ResizeBilinearOptions,
  ResizeNearestNeighborOptions,
  ShapeOptions,
  SoftmaxOptions,
  SpaceToDepthOptions,
  SplitOptions,
  SplitVOptions,
  SqueezeOptions,
  StridedSliceOptions,
  SubOptions,
  TensorType,
  TransposeConvOptions,
  UnidirectionalSequenceLSTMOptions,
  UnpackOptions,
  WhileOptions,
} from './third_party/tflite/schema-generated.js';

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

type Values = Record<string, TfliteOptionValue>;
type Decoder = (bb: ByteBuffer, pos: number) => Values;

/** A decoder that opens the table at `pos` as `Options` and reads it with `read`. */
function decoder<T extends { __init(pos: number, bb: ByteBuffer): T }>(
  Options: new () => T,
  read: (o: T) => Values,
): Decoder {
  return (bb, pos) => read(new Options().__init(pos, bb));
}

/** The member name of enum value `code`, or `UNKNOWN_<code>` for a value the schema does not have. */
function nameOf(e: Record<number, string>, code: number): string {
  return e[code] ?? `UNKNOWN_${code}`;
}

const padding = (o: { padding(): Padding }): string => nameOf(Padding, o.padding());
const activation = (o: { fusedActivationFunction(): ActivationFunctionType }): string =>
  nameOf(ActivationFunctionType, o.fusedActivationFunction());
const tensorType = (code: TensorType): string => nameOf(TensorType, code);
const ints = (length: number, at: (i: number) => number | null): number[] =>
  Array.from({ length }, (_, i) => at(i) ?? 0);
const fusedOnly = (o: { fusedActivationFunction(): ActivationFunctionType }): Values => ({
  fused_activation_function: activation(o),
});

const resize = (o: { alignCorners(): boolean; halfPixelCenters(): boolean }): Values => ({
  align_corners: o.alignCorners(),
  half_pixel_centers: o.halfPixelCenters(),
});

const DECODERS: Readonly<Record<string, Decoder>> = {
  Conv2DOptions: decoder(Conv2DOptions, (o) => ({
    padding: padding(o),
    stride_w: o.strideW(),
    stride_h: o.strideH(),
    fused_activation_function: activation(o),
    dilation_w_factor: o.dilationWFactor(),
    dilation_h_factor: o.dilationHFactor(),
    quantized_bias_type: tensorType(o.quantizedBiasType()),
  })),
  DepthwiseConv2DOptions: decoder(DepthwiseConv2DOptions, (o) => ({
    padding: padding(o),
    stride_w: o.strideW(),
    stride_h: o.strideH(),
    depth_multiplier: o.depthMultiplier(),
    fused_activation_function: activation(o),
    dilation_w_factor: o.dilationWFactor(),
    dilation_h_factor: o.dilationHFactor(),
  })),
  Pool2DOptions: decoder(Pool2DOptions, (o) => ({
    padding: padding(o),
    stride_w: o.strideW(),
    stride_h: o.strideH(),
    filter_width: o.filterWidth(),
    filter_height: o.filterHeight(),
    fused_activation_function: activation(o),
  })),
  FullyConnectedOptions: decoder(FullyConnectedOptions, (o) => ({
    fused_activation_function: activation(o),
    weights_format: nameOf(FullyConnectedOptionsWeightsFormat, o.weightsFormat()),
    keep_num_dims: o.keepNumDims(),
    asymmetric_quantize_inputs: o.asymmetricQuantizeInputs(),
    quantized_bias_type: tensorType(o.quantizedBiasType()),
  })),
  SoftmaxOptions: decoder(SoftmaxOptions, (o) => ({ beta: o.beta() })),
  ConcatenationOptions: decoder(ConcatenationOptions, (o) => ({
    axis: o.axis(),
    fused_activation_function: activation(o),
  })),
  AddOptions: decoder(AddOptions, (o) => ({ ...fusedOnly(o), pot_scale_int16: o.potScaleInt16() })),
  SubOptions: decoder(SubOptions, (o) => ({ ...fusedOnly(o), pot_scale_int16: o.potScaleInt16() })),
  MulOptions: decoder(MulOptions, fusedOnly),
  DivOptions: decoder(DivOptions, fusedOnly),
  L2NormOptions: decoder(L2NormOptions, fusedOnly),
  LocalResponseNormalizationOptions: decoder(LocalResponseNormalizationOptions, (o) => ({
    radius: o.radius(),
    bias: o.bias(),
    alpha: o.alpha(),
    beta: o.beta(),
  })),
  ReshapeOptions: decoder(ReshapeOptions, (o) => ({
    new_shape: ints(o.newShapeLength(), (i) => o.newShape(i)),
  })),
  // new_height and new_width are deprecated in the schema (flatc generates no accessor for them).
  ResizeBilinearOptions: decoder(ResizeBilinearOptions, resize),
  ResizeNearestNeighborOptions: decoder(ResizeNearestNeighborOptions, resize),
  TransposeConvOptions: decoder(TransposeConvOptions, (o) => ({
    padding: padding(o),
    stride_w: o.strideW(),
    stride_h: o.strideH(),
    fused_activation_function: activation(o),
    quantized_bias_type: tensorType(o.quantizedBiasType()),
  })),
  SpaceToDepthOptions: decoder(SpaceToDepthOptions, (o) => ({ block_size: o.blockSize() })),
  DepthToSpaceOptions: decoder(DepthToSpaceOptions, (o) => ({ block_size: o.blockSize() })),
  ReducerOptions: decoder(ReducerOptions, (o) => ({ keep_dims: o.keepDims() })),
  SqueezeOptions: decoder(SqueezeOptions, (o) => ({
    squeeze_dims: ints(o.squeezeDimsLength(), (i) => o.squeezeDims(i)),
  })),
  SplitOptions: decoder(SplitOptions, (o) => ({ num_splits: o.numSplits() })),
  SplitVOptions: decoder(SplitVOptions, (o) => ({ num_splits: o.numSplits() })),
  StridedSliceOptions: decoder(StridedSliceOptions, (o) => ({
    begin_mask: o.beginMask(),
    end_mask: o.endMask(),
    ellipsis_mask: o.ellipsisMask(),
    new_axis_mask: o.newAxisMask(),
    shrink_axis_mask: o.shrinkAxisMask(),
    offset: o.offset(),
  })),
  PackOptions: decoder(PackOptions, (o) => ({ values_count: o.valuesCount(), axis: o.axis() })),
  UnpackOptions: decoder(UnpackOptions, (o) => ({ num: o.num(), axis: o.axis() })),
  LeakyReluOptions: decoder(LeakyReluOptions, (o) => ({ alpha: o.alpha() })),
  GatherOptions: decoder(GatherOptions, (o) => ({ axis: o.axis(), batch_dims: o.batchDims() })),
  MirrorPadOptions: decoder(MirrorPadOptions, (o) => ({ mode: nameOf(MirrorPadMode, o.mode()) })),
  CastOptions: decoder(CastOptions, (o) => ({
    in_data_type: tensorType(o.inDataType()),
    out_data_type: tensorType(o.outDataType()),
  })),
  BatchMatMulOptions: decoder(BatchMatMulOptions, (o) => ({
    adj_x: o.adjX(),
    adj_y: o.adjY(),
    asymmetric_quantize_inputs: o.asymmetricQuantizeInputs(),
  })),
  ArgMaxOptions: decoder(ArgMaxOptions, (o) => ({ output_type: tensorType(o.outputType()) })),
  ArgMinOptions: decoder(ArgMinOptions, (o) => ({ output_type: tensorType(o.outputType()) })),
  ShapeOptions: decoder(ShapeOptions, (o) => ({ out_type: tensorType(o.outType()) })),
  GeluOptions: decoder(GeluOptions, (o) => ({ approximate: o.approximate() })),
  UnidirectionalSequenceLSTMOptions: decoder(UnidirectionalSequenceLSTMOptions, (o) => ({
    fused_activation_function: activation(o),
    cell_clip: o.cellClip(),
    proj_clip: o.projClip(),
    time_major: o.timeMajor(),
    asymmetric_quantize_inputs: o.asymmetricQuantizeInputs(),
    diagonal_recurrent_tensors: o.diagonalRecurrentTensors(),
  })),
  // Control flow: the subgraphs an operator runs.
  IfOptions: decoder(IfOptions, (o) => ({
    then_subgraph_index: o.thenSubgraphIndex(),
    else_subgraph_index: o.elseSubgraphIndex(),
  })),
  WhileOptions: decoder(WhileOptions, (o) => ({
    cond_subgraph_index: o.condSubgraphIndex(),
    body_subgraph_index: o.bodySubgraphIndex(),
  })),
  CallOnceOptions: decoder(CallOnceOptions, (o) => ({ init_subgraph_index: o.initSubgraphIndex() })),
  CallOptions: decoder(CallOptions, (o) => ({ subgraph: o.subgraph() })),
};

/** Option tables without fields: decoded to no values, and so reported as decoded. */
const EMPTY = new Set([
  'PadOptions',
  'PadV2Options',
  'TransposeOptions',
  'HardSwishOptions',
  'DequantizeOptions',
  'QuantizeOptions',
  'MaximumMinimumOptions',
  'ExpandDimsOptions',
  'SliceOptions',
  'ExpOptions',
  'TileOptions',
]);

/** Decodes the options table at `pos` of union member `type`. */
export function decodeOptions(type: string, bb: ByteBuffer, pos: number): TfliteOptions {
  const decode = DECODERS[type];
  if (decode !== undefined) return { type, offset: pos, values: decode(bb, pos), decoded: true };
  return { type, offset: pos, values: {}, decoded: EMPTY.has(type) };
}
