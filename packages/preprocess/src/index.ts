export {
  DEFAULT_MAX_PIXELS,
  type DecodeOptions,
  type ImageInput,
  type ImageTensor,
  loadImage,
  type PixelOrder,
  type RawImage,
  type SourceImage,
} from './input.js';
export type { Interpolation, Layout, OutputDType } from './kernel/job.js';
export type { KernelChoice } from './kernel/select.js';
export { type NativeKernelStatus, nativeKernelStatus } from './native.js';
export { decodeNpy, encodeNpy } from './npy.js';
export {
  type ColorMapName,
  colorizeScoreMap,
  denormalizationOf,
  encodeImage,
  type Image8,
  maskToImage,
  resizeToSource,
  type ScoreMapOptions,
  type TensorToImageOptions,
  tensorToImage,
} from './postprocess.js';
export {
  outputSizeFor,
  type PreprocessedImage,
  type PreprocessOptions,
  type PreprocessResult,
  preprocess,
  preprocessSync,
} from './preprocess.js';
export { PRESET_NAMES, PRESETS, type PresetName, preset } from './presets.js';
export {
  type RenderedTensor,
  type RenderTensorOptions,
  renderTensor,
  TENSOR_IMAGE_KINDS,
  type TensorImageKind,
} from './render-tensor.js';
export {
  type ColorOrder,
  type DynamicSize,
  type PreprocessSpec,
  type ResizeMode,
  type ResolvedSpec,
  resolveSpec,
  type Size,
} from './spec.js';
export {
  type AffineTransform,
  applyTransform,
  type Box,
  invertTransform,
  type Point,
  transformBox,
} from './transform.js';
