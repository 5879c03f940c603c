export { type Canvas, loadCanvas } from './draw/canvas.js';
export {
  DRAWABLE_TASKS,
  type DrawableResult,
  type DrawOptions,
  drawOnCanvas,
  drawResults,
  writeResultImage,
} from './draw/draw-results.js';
export { DEFAULT_PALETTE, drawBox, drawKeypoints, drawMask, drawPolygon, type Rgb } from './draw/shapes.js';
export {
  type ClassificationConfig,
  type ClassificationResult,
  type ClassScore,
  classificationHead,
  decodeClassification,
} from './heads/classification.js';
export {
  type BoxDecoder,
  type Detection,
  type DetectionConfig,
  type DetectionFormat,
  type DetectionResult,
  decodeDetection,
  detectionHead,
} from './heads/detection.js';
export {
  decodeFaceDetection,
  type Face,
  type FaceDetectionConfig,
  type FaceDetectionResult,
  faceDetectionHead,
} from './heads/face-detection.js';
export type { Head, HeadContext, HeadFit, ModelOutline, TaskName } from './heads/head.js';
export {
  decodeLandmarks,
  type Landmark,
  type LandmarksConfig,
  type LandmarksResult,
  landmarksHead,
  type ScoreActivation,
} from './heads/landmarks.js';
export { iou, type NmsOptions, nonMaxSuppression, type ScoredBox } from './heads/nms.js';
export {
  decodeRaw,
  type HeadTried,
  type OutputSummary,
  type RawConfig,
  type RawResult,
  rawHead,
  summarizeOutput,
} from './heads/raw.js';
export {
  decodeSegmentation,
  type SegmentationConfig,
  type SegmentationResult,
  segmentationHead,
} from './heads/segmentation.js';
export {
  type Anchor,
  FACE_FULL_RANGE_ANCHORS,
  FACE_SHORT_RANGE_ANCHORS,
  type SsdAnchorOptions,
  ssdAnchors,
} from './heads/ssd-anchors.js';
export {
  decodeTextDetection,
  type TextBox,
  type TextDetectionConfig,
  type TextDetectionResult,
  textDetectionHead,
} from './heads/text-detection.js';
export type { InferOptions, InferResult } from './infer/infer.js';
export { specForInput } from './infer/spec.js';
export { GUESS_ORDER, TASK_HEADS, TASK_NAMES, type TaskConfigs, type TaskResults } from './infer/tasks.js';
export { type ImageLayout, type InputSpec, inputSpec } from './load/input-spec.js';
export { type BatchingOptions, type LoadModelOptions, loadModel } from './load/load-model.js';
export { Model, type RunOptions } from './load/model.js';
export { type DecodedText, decodeCtc, readOcrDictionary } from './ocr/ctc.js';
export {
  loadOcr,
  type OcrLine,
  type OcrModelFiles,
  type OcrModels,
  type OcrOptions,
  type OcrPipeline,
  type OcrResult,
  ocr,
} from './ocr/ocr.js';
export { type DeviceStatus, deviceStatus, setDeviceConcurrency } from './queue/device-scheduler.js';
export type { BatchingSettings, QueueStats } from './queue/model-queue.js';
