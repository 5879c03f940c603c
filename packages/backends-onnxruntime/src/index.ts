export {
  createBackend,
  type OnnxruntimeBackend,
  type OnnxruntimeBackendOptions,
  type SessionCounts,
  sessionCounts,
} from './backend.js';
export type { CudaProviderOptions, TensorRtProviderOptions } from './provider-options.js';
export { ruleTables } from './rule-tables.js';
export { ORT_CPU_RULES } from './rules/ort-cpu.js';
export { type ExecutionProvider, OnnxruntimeSession, type ProviderSkip } from './session.js';
