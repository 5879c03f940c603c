export { dropIdentities, removeUnused } from './cleanup.js';
export { constantsToInitializers, foldConstants } from './constants.js';
export { type ConvertOptions, convertModel } from './convert.js';
export type { EditChange, EditKind, EditResult } from './edit-result.js';
export { exposeTensors } from './expose.js';
export { foldForQuantization } from './fold-for-quantization.js';
export { upgradeOpset } from './opset.js';
export { setBatchDimension, setInputShapes } from './shapes.js';
export { upsampleToResize } from './upsample.js';
