export { createBackend, sessionCounts, type TrtBackend, type TrtBackendOptions } from './backend.js';
export { DLA_ORIN_RULES, DLA_XAVIER_RULES } from './rules/dla.js';
export { TRT_7_RULES, TRT_8_6_RULES, TRT_10_RULES } from './rules/tensorrt.js';
export { TrtSession } from './session.js';
