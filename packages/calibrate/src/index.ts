export {
  type ActivationChoice,
  type ActivationChoiceOptions,
  chooseActivationType,
} from './activation-type.js';
export {
  type BiasCorrectionOptions,
  type BiasCorrectionResult,
  type BiasShift,
  quantizeWithBiasCorrection,
} from './bias-correction.js';
export {
  type CacheExpectation,
  type CalibrationCache,
  type CalibrationCacheContent,
  CalibrationCacheMismatchError,
  type CalibrationMetadata,
  formatTrtCache,
  type ImageHash,
  type LoadOrCalibrateOptions,
  type LoadOrCalibrateResult,
  loadOrCalibrate,
  METADATA_FORMAT,
  metadataPath,
  ortTablePaths,
  parseTrtCache,
  readCalibrationCache,
  recordEvaluation,
  sha256Hex,
  type TensorRange,
  type TrtCache,
  type TrtCacheOptions,
  type TrtCalibrationAlgorithm,
  tensorMinimums,
  writeCalibrationCache,
} from './cache.js';
export {
  type CalibrateOptions,
  type CalibrationProgress,
  type CalibrationResult,
  calibrate,
} from './calibrate.js';
export {
  type ActivationStatistics,
  type CollectOptions,
  calibrationTensors,
  collectStatistics,
  computeRanges,
  type FeedSource,
  type Progress,
  quantizationTensors,
  type RunSetOptions,
} from './collect.js';
export {
  type CompareOptions,
  type ComparisonReport,
  compareModels,
  formatComparison,
  type LayerError,
  type OutputKind,
  type OutputMetrics,
} from './compare.js';
export { type ComparisonHtmlOptions, comparisonHtml, writeComparisonHtml } from './compare-html.js';
export {
  convertToFloat16,
  DEFAULT_FLOAT16_BLOCK_LIST,
  type Float16Options,
  type Float16Result,
} from './fp16.js';
export {
  evaluateHeldOut,
  formatHeldOut,
  type HeldOutOptions,
  type HeldOutReport,
  splitHeldOut,
} from './held-out.js';
export { Histogram, type HistogramOptions, TensorStatistics } from './histogram.js';
export { datasetHash, imageFeeds, imageHashes, listImages } from './images.js';
export { formatOrtCalibrationTable, type OrtCalibrationTable, pythonFloat } from './ort-table.js';
export { DEFAULT_QDQ_OPS, type KeptNode, type QdqOptions, type QdqResult, quantizeQdq } from './qdq.js';
export {
  computeRange,
  type EntropyOptions,
  type ExtremesLike,
  entropyThreshold,
  type HistogramLike,
  type MseOptions,
  minMaxRange,
  mseRange,
  percentileRange,
  RANGE_METHODS,
  type RangeMethod,
  type RangeParams,
  type RangeStatistics,
} from './ranges.js';
export {
  type FloatTensorChoice,
  findFloatTensors,
  quantizationSensitivity,
  type RangeMethodChoice,
  type SensitivityOptions,
  type TensorGroup,
} from './sensitivity.js';
export { type StatisticsKernelStatus, statisticsKernelStatus } from './statistics-kernel.js';
export { perChannelScales } from './weights.js';
