export { type CheckOptions, checkGraph } from './check/checker.js';
export { elementTypeOf, type FromOnnxOptions, modelGraphFromOnnx } from './check/from-onnx.js';
export {
  type CheckIssue,
  type CheckReport,
  type FallbackSummary,
  type IssueLevel,
  type TargetReport,
  type Verdict,
  verdictExitCode,
  worstVerdict,
} from './check/report.js';
export {
  type CheckFileOptions,
  checkModelFile,
  loadRuleTables,
  readModelGraph,
  resolveTargets,
} from './check/targets.js';
export { type ConvertOptions, type ConvertResult, convertModel } from './convert/convert.js';
export {
  constantsToInitializers,
  dropIdentities,
  setInputShapes,
  upsampleToResize,
} from './convert/edits.js';
export { type BackendName, DEFAULT_BACKEND_ORDER } from './load/backends.js';
export { type ImageLayout, type InputSpec, inputSpec } from './load/input-spec.js';
export { type BatchingOptions, type LoadModelOptions, loadModel } from './load/load-model.js';
export { Model, type RunOptions } from './load/model.js';
export { type DeviceStatus, deviceStatus, setDeviceConcurrency } from './queue/device-scheduler.js';
export type { BatchingSettings, ModelStats } from './queue/model-queue.js';
export { OPENVINO_CPU_RULES } from './targets/openvino/cpu.js';
export { MYRIAD_RULES } from './targets/openvino/myriad.js';
