// The task heads by name, with the settings and result type of each.

import {
  type ClassificationConfig,
  type ClassificationResult,
  classificationHead,
} from '../heads/classification.js';
import { type DetectionConfig, type DetectionResult, detectionHead } from '../heads/detection.js';
import {
  type FaceDetectionConfig,
  type FaceDetectionResult,
  faceDetectionHead,
} from '../heads/face-detection.js';
import type { Head, TaskName } from '../heads/head.js';
import { type LandmarksConfig, type LandmarksResult, landmarksHead } from '../heads/landmarks.js';
import { type RawConfig, type RawResult, rawHead } from '../heads/raw.js';
import { type SegmentationConfig, type SegmentationResult, segmentationHead } from '../heads/segmentation.js';
import {
  type TextDetectionConfig,
  type TextDetectionResult,
  textDetectionHead,
} from '../heads/text-detection.js';

/** Settings of each task's head. */
export interface TaskConfigs {
  classify: ClassificationConfig;
  detect: DetectionConfig;
  segment: SegmentationConfig;
  text: TextDetectionConfig;
  face: FaceDetectionConfig;
  landmarks: LandmarksConfig;
  raw: RawConfig;
}

/** What each task's head returns per image. */
export interface TaskResults {
  classify: ClassificationResult;
  detect: DetectionResult;
  segment: SegmentationResult;
  text: TextDetectionResult;
  face: FaceDetectionResult;
  landmarks: LandmarksResult;
  raw: RawResult;
}

/** Every task head by name. */
export const TASK_HEADS: { readonly [T in TaskName]: Head<TaskConfigs[T], TaskResults[T]> } = Object.freeze({
  classify: classificationHead,
  detect: detectionHead,
  segment: segmentationHead,
  text: textDetectionHead,
  face: faceDetectionHead,
  landmarks: landmarksHead,
  raw: rawHead,
});

/** Task names in a fixed order. */
export const TASK_NAMES: readonly TaskName[] = Object.freeze(Object.keys(TASK_HEADS) as TaskName[]);

/**
 * The order `model.infer` tries the heads in when no task is given: the layouts that say most
 * about what they mean first (anchor grids, points beside a presence flag), the plainest last;
 * `raw` when none fits.
 */
export const GUESS_ORDER: readonly Exclude<TaskName, 'raw'>[] = Object.freeze([
  'face',
  'landmarks',
  'text',
  'detect',
  'segment',
  'classify',
] as const);
