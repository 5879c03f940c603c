// Snapshot of the public API: an added, removed or renamed export fails here and shows in review.
import { typeOnlyExports } from '@edge/tooling/exports';
import { expect, it } from 'vitest';
import * as api from '../src/index.js';

it('exports exactly these runtime names', () => {
  expect(Object.keys(api).sort()).toEqual([
    'FACE_SHORT_RANGE_ANCHORS',
    'Model',
    'TASK_HEADS',
    'TASK_NAMES',
    'classificationHead',
    'decodeClassification',
    'decodeDetection',
    'decodeFaceDetection',
    'decodeSegmentation',
    'decodeTextDetection',
    'detectionHead',
    'deviceStatus',
    'faceDetectionHead',
    'inputSpec',
    'iou',
    'loadModel',
    'nonMaxSuppression',
    'segmentationHead',
    'setDeviceConcurrency',
    'specForInput',
    'ssdAnchors',
    'textDetectionHead',
  ]);
});

it('exports exactly these type-only names', () => {
  expect(typeOnlyExports(new URL('../src/index.ts', import.meta.url))).toEqual([
    'Anchor',
    'BatchingOptions',
    'BatchingSettings',
    'BoxDecoder',
    'ClassScore',
    'ClassificationConfig',
    'ClassificationResult',
    'Detection',
    'DetectionConfig',
    'DetectionFormat',
    'DetectionResult',
    'DeviceStatus',
    'Face',
    'FaceDetectionConfig',
    'FaceDetectionResult',
    'Head',
    'HeadContext',
    'ImageLayout',
    'InferOptions',
    'InferResult',
    'InputSpec',
    'LoadModelOptions',
    'NmsOptions',
    'QueueStats',
    'RunOptions',
    'ScoredBox',
    'SegmentationConfig',
    'SegmentationResult',
    'SsdAnchorOptions',
    'TaskConfigs',
    'TaskName',
    'TaskResults',
    'TextBox',
    'TextDetectionConfig',
    'TextDetectionResult',
  ]);
});
