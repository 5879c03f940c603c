// Snapshot of the public runtime API: an added, removed or renamed export fails here and shows in review.
import { expect, it } from 'vitest';
import * as api from '../src/index.js';

it('exports exactly these runtime names', () => {
  expect(Object.keys(api).sort()).toEqual([
    'CalibrationCacheMismatchError',
    'Histogram',
    'METADATA_FORMAT',
    'RANGE_METHODS',
    'TensorStatistics',
    'computeRange',
    'entropyThreshold',
    'formatTrtCache',
    'loadOrCalibrate',
    'metadataPath',
    'minMaxRange',
    'mseRange',
    'parseTrtCache',
    'perChannelScales',
    'percentileRange',
    'readCalibrationCache',
    'sha256Hex',
    'writeCalibrationCache',
  ]);
});
