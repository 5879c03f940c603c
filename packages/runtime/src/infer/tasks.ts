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
}

/** What each task's head returns per image. */
export interface TaskResults {
  classify: ClassificationResult;
  detect: DetectionResult;
  segment: SegmentationResult;
  text: TextDetectionResult;
  face: FaceDetectionResult;
}

/** Every task head by name. */
export const TASK_HEADS: { readonly [T in TaskName]: Head<TaskConfigs[T], TaskResults[T]> } = Object.freeze({
  classify: classificationHead,
  detect: detectionHead,
  segment: segmentationHead,
  text: textDetectionHead,
  face: faceDetectionHead,
});

/** Task names in a fixed order. */
export const TASK_NAMES: readonly TaskName[] = Object.freeze(Object.keys(TASK_HEADS) as TaskName[]);
