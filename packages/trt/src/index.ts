export { type BenchEngineOptions, benchEngine } from './bench-engine.js';
export {
  atLeast,
  type BuildOptions,
  type BuildPlan,
  type CheckedBuildOptions,
  checkBuildOptions,
  formatVersion,
  type Precision,
  parseTensorRTVersion,
  planBuild,
  type TensorRTVersion,
} from './build-plan.js';
export {
  type BuildEngineOptions,
  type BuildLogLine,
  type BuildProgress,
  type BuiltEngine,
  buildEngine,
  EngineBuildError,
} from './builder.js';
export {
  type DoctorCheck,
  type DoctorOptions,
  type DoctorReport,
  formatDoctor,
  trtDoctor,
} from './doctor.js';
export {
  type EngineSource,
  ExecutionContext,
  type InputRange,
  type LoadEngineOptions,
  TrtEngine,
} from './engine.js';
export {
  defaultCacheDir,
  EngineCache,
  type EngineCacheEntry,
  type EngineCacheEvent,
  type EngineCacheKeyParts,
  type EngineCacheOptions,
  engineCacheKey,
} from './engine-cache.js';
export {
  checkEngineHost,
  decodeEngineFile,
  ENGINE_FORMAT_VERSION,
  type EngineFileInfo,
  type EngineHeader,
  type EngineHeaderFields,
  type EngineHost,
  EngineMismatchError,
  encodeEngineFile,
  readEngineHeader,
} from './engine-file.js';
export { acquireLock, type LockOptions, type LockOwner } from './file-lock.js';
export type { GpuKernelJob, GpuOutputArray, GpuRect } from './gpu-job.js';
export {
  createGpuPreprocessor,
  type GpuPreprocessor,
  type GpuPreprocessorOptions,
} from './gpu-preprocess.js';
export { runGpuReference } from './gpu-reference.js';
export {
  describeJetson,
  detectJetson,
  type FileReader,
  fileReaderAt,
  JETPACK_RELEASES,
  type JetpackRelease,
  type JetsonCheck,
  type JetsonInfo,
  jetsonCheck,
} from './jetson.js';
export {
  LIBRARY_KINDS,
  type LibraryCandidate,
  type LibraryKind,
  libraryCandidates,
  type SearchEnvironment,
  type SearchOrigin,
  searchDirectories,
} from './library-search.js';
export type { LibraryStatus } from './loader.js';
export { type ModelFacts, type ModelInput, readModelFacts } from './model-facts.js';
export { deriveProfile, type ProfileEntry, type ProfileOptions, type ShapeRange } from './profiles.js';
export {
  type TrtDevice,
  type TrtMissing,
  type TrtStatus,
  trtStatus,
} from './status.js';
export {
  type TrtexecCommand,
  type TrtexecPaths,
  trtexecCommand,
  trtexecCommandForModel,
} from './trtexec-command.js';
export { parseTrtexecLog } from './trtexec-log.js';
export { formatCudaVersion, formatTensorRTVersion } from './versions.js';
