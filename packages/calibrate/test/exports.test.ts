// Snapshot of the public runtime API: an added, removed or renamed export fails here and shows in review.
import { expect, it } from 'vitest';
import * as api from '../src/index.js';

it('exports exactly these runtime names', () => {
  expect(Object.keys(api).sort()).toEqual([
    'CalibrationCacheMismatchError',
    'DEFAULT_FLOAT16_BLOCK_LIST',
    'DEFAULT_QDQ_OPS',
    'Histogram',
    'METADATA_FORMAT',
    'RANGE_METHODS',
    'TensorStatistics',
    'calibrationTensors',
    'collectStatistics',
    'compareModels',
    'computeRange',
    'computeRanges',
    'convertToFloat16',
    'datasetHash',
    'entropyThreshold',
    'findFloatTensors',
    'formatComparison',
    'formatTrtCache',
    'imageFeeds',
    'listImages',
    'loadOrCalibrate',
    'metadataPath',
    'minMaxRange',
    'mseRange',
    'parseTrtCache',
    'perChannelScales',
    'percentileRange',
    'quantizationSensitivity',
    'quantizeQdq',
    'readCalibrationCache',
    'sha256Hex',
    'writeCalibrationCache',
  ]);
});
