// Snapshot of the public API: an added, removed or renamed export fails here and shows in review.
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { expect, it } from 'vitest';
import * as api from '../src/index.js';

it('exports exactly these runtime names', () => {
  expect(Object.keys(api).sort()).toEqual([
    'DEFAULT_BACKEND_ORDER',
    'FACE_SHORT_RANGE_ANCHORS',
    'MYRIAD_RULES',
    'Model',
    'OPENVINO_CPU_RULES',
    'TASK_HEADS',
    'TASK_NAMES',
    'checkGraph',
    'checkModelFile',
    'classificationHead',
    'constantsToInitializers',
    'convertModel',
    'decodeClassification',
    'decodeDetection',
    'decodeFaceDetection',
    'decodeSegmentation',
    'decodeTextDetection',
    'detectionHead',
    'deviceStatus',
    'dropIdentities',
    'elementTypeOf',
    'faceDetectionHead',
    'inputSpec',
    'iou',
    'loadModel',
    'loadRuleTables',
    'modelGraphFromOnnx',
    'nonMaxSuppression',
    'readModelGraph',
    'resolveTargets',
    'segmentationHead',
    'setDeviceConcurrency',
    'setInputShapes',
    'specForInput',
    'ssdAnchors',
    'textDetectionHead',
    'upsampleToResize',
    'verdictExitCode',
    'worstVerdict',
  ]);
});

it('exports exactly these type-only names', () => {
  const file = new URL('../src/index.ts', import.meta.url);
  const source = ts.createSourceFile('index.ts', readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022);
  const types: string[] = [];
  for (const statement of source.statements) {
    if (!ts.isExportDeclaration(statement) || !statement.exportClause) continue;
    if (!ts.isNamedExports(statement.exportClause)) continue;
    for (const element of statement.exportClause.elements) {
      if (statement.isTypeOnly || element.isTypeOnly) types.push(element.name.text);
    }
  }
  expect(types.sort()).toEqual([
    'Anchor',
    'BackendName',
    'BatchingOptions',
    'BatchingSettings',
    'BoxDecoder',
    'CheckFileOptions',
    'CheckIssue',
    'CheckOptions',
    'CheckReport',
    'ClassScore',
    'ClassificationConfig',
    'ClassificationResult',
    'ConvertOptions',
    'ConvertResult',
    'Detection',
    'DetectionConfig',
    'DetectionFormat',
    'DetectionResult',
    'DeviceStatus',
    'Face',
    'FaceDetectionConfig',
    'FaceDetectionResult',
    'FallbackSummary',
    'FromOnnxOptions',
    'Head',
    'HeadContext',
    'ImageLayout',
    'InferOptions',
    'InferResult',
    'InputSpec',
    'IssueLevel',
    'LoadModelOptions',
    'ModelStats',
    'NmsOptions',
    'RunOptions',
    'ScoredBox',
    'SegmentationConfig',
    'SegmentationResult',
    'SsdAnchorOptions',
    'TargetReport',
    'TaskConfigs',
    'TaskName',
    'TaskResults',
    'TextBox',
    'TextDetectionConfig',
    'TextDetectionResult',
    'Verdict',
  ]);
});
