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
export { checkKernelJob } from './kernel/check-job.js';
export { runKernel } from './kernel/fused.js';
export type { Interpolation, KernelJob, Layout, OutputArray, OutputDType, Rect } from './kernel/job.js';
export { runReferenceKernel } from './kernel/reference.js';
export type { KernelChoice } from './kernel/select.js';
export {
  loadNativeKernel,
  type NativeKernel,
  type NativeKernelStatus,
  nativeKernelStatus,
} from './native.js';
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
  createKernelJob,
  outputSizeFor,
  type PreprocessedImage,
  type PreprocessOptions,
  type PreprocessResult,
  preprocess,
  preprocessSync,
} from './preprocess.js';
export { PRESET_NAMES, PRESETS, type PresetName, preset } from './presets.js';
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
