export { expectError } from './errors.js';
export {
  deleteSpan,
  type FuzzOptions,
  type FuzzOutcome,
  flipBytes,
  fuzzReader,
  insertJunk,
  int,
  type Mutation,
  truncate,
} from './fuzz.js';
export { JETSON_FILES, JETSON_RECORDINGS, recordedJetson } from './jetson.js';
export { cosine, maxAbsDiff } from './numbers.js';
export { checkModels, onnxCheck } from './onnx-check.js';
export {
  faceMeshModel,
  findModels,
  HAND_LANDMARKS,
  MEDIAPIPE,
  NODE_TESTS,
  OCR_ASSETS,
  OCR_MODELS,
  ONNX_TESTDATA,
  TRT_FAKE_ADDON,
} from './paths.js';
export { photo, photoDir, TEST_DATA } from './photos.js';
export { PYTHON, python, runPython } from './python.js';
export { noise, random, rng } from './random.js';
export { isMet, MissingRequirementError, requires } from './requirements.js';
export { scratchDir } from './scratch.js';
export { expectSessionsClosed, type SessionCounts } from './sessions.js';
export { CJK_FONT, dejavu, type Glyphs, glyphs, textLine, textPage, textPageFloats } from './text.js';
