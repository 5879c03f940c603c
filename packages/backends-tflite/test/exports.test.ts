// Snapshot of the public runtime API: an added, removed or renamed export fails here and shows in review.
import { expect, it } from 'vitest';
import * as api from '../src/index.js';

it('exports exactly these runtime names', () => {
  expect(Object.keys(api).sort()).toEqual([
    'BUILTIN_OPERATORS',
    'BUILTIN_OPTIONS',
    'EDGETPU_RULES',
    'EDGETPU_SOURCE',
    'TENSOR_TYPES',
    'TFLITE_CUSTOM_DOMAIN',
    'TFLITE_DOMAIN',
    'TFLITE_FILE_IDENTIFIER',
    'TFLITE_RULES',
    'TFLITE_SOURCE',
    'TfliteSession',
    'builtinOperatorCode',
    'builtinOperatorName',
    'createBackend',
    'elementTypeOfTflite',
    'modelGraphFromTflite',
    'readTflite',
    'readTfliteFile',
    'readTfliteGraph',
    'ruleTables',
    'sessionCounts',
    'summarizeTflite',
    'tensorTypeName',
  ]);
});
