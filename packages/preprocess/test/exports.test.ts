// Snapshot of the public runtime API: an added, removed or renamed export fails here and shows in review.
import { typeOnlyExports } from '@edge/tooling/exports';
import { expect, it } from 'vitest';
import * as api from '../src/index.js';
import * as kernel from '../src/kernel/index.js';

it('exports exactly these runtime names', () => {
  expect(Object.keys(api).sort()).toEqual([
    'DEFAULT_MAX_PIXELS',
    'PRESETS',
    'PRESET_NAMES',
    'TENSOR_IMAGE_KINDS',
    'applyTransform',
    'colorizeScoreMap',
    'decodeNpy',
    'denormalizationOf',
    'encodeImage',
    'encodeNpy',
    'invertTransform',
    'loadImage',
    'maskToImage',
    'nativeKernelStatus',
    'outputSizeFor',
    'preprocess',
    'preprocessSync',
    'preset',
    'renderTensor',
    'resizeToSource',
    'resolveSpec',
    'tensorToImage',
    'transformBox',
  ]);
});

it('exports exactly these type-only names', () => {
  expect(typeOnlyExports(new URL('../src/index.ts', import.meta.url))).toEqual([
    'AffineTransform',
    'Box',
    'ColorMapName',
    'ColorOrder',
    'DecodeOptions',
    'DynamicSize',
    'Image8',
    'ImageInput',
    'ImageTensor',
    'Interpolation',
    'KernelChoice',
    'Layout',
    'NativeKernelStatus',
    'OutputDType',
    'PixelOrder',
    'Point',
    'PreprocessOptions',
    'PreprocessResult',
    'PreprocessSpec',
    'PreprocessedImage',
    'PresetName',
    'RawImage',
    'RenderTensorOptions',
    'RenderedTensor',
    'ResizeMode',
    'ResolvedSpec',
    'ScoreMapOptions',
    'Size',
    'SourceImage',
    'TensorImageKind',
    'TensorToImageOptions',
  ]);
});

it('exports the kernels from @edge/preprocess/kernel only', () => {
  expect(Object.keys(kernel).sort()).toEqual([
    'checkKernelJob',
    'checkKernelJobs',
    'createKernelJob',
    'loadNativeKernel',
    'runKernel',
    'runReferenceKernel',
  ]);
  expect(typeOnlyExports(new URL('../src/kernel/index.ts', import.meta.url))).toEqual([
    'Interpolation',
    'KernelJob',
    'Layout',
    'NativeKernel',
    'OutputArray',
    'OutputDType',
    'Rect',
  ]);
});
