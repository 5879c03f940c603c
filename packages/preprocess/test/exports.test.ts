// Snapshot of the public runtime API: an added, removed or renamed export fails here and shows in review.
import { expect, it } from 'vitest';
import * as api from '../src/index.js';

it('exports exactly these runtime names', () => {
  expect(Object.keys(api).sort()).toEqual([
    'DEFAULT_MAX_PIXELS',
    'PRESETS',
    'PRESET_NAMES',
    'applyTransform',
    'checkKernelJob',
    'colorizeScoreMap',
    'createKernelJob',
    'decodeNpy',
    'denormalizationOf',
    'encodeImage',
    'encodeNpy',
    'invertTransform',
    'loadImage',
    'loadNativeKernel',
    'maskToImage',
    'nativeKernelStatus',
    'outputSizeFor',
    'preprocess',
    'preprocessSync',
    'preset',
    'resizeToSource',
    'resolveSpec',
    'runKernel',
    'runReferenceKernel',
    'tensorToImage',
    'transformBox',
  ]);
});
