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
export {
  formatCudaVersion,
  formatTensorRTVersion,
  type TrtDevice,
  type TrtMissing,
  type TrtStatus,
  trtStatus,
} from './status.js';
