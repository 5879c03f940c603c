export { createBackend, sessionCounts, type TrtBackend, type TrtBackendOptions } from './backend.js';
export { ruleTableAliases, ruleTables } from './rule-tables.js';
export { DLA_RULES } from './rules/dla.js';
export { DLA_ALIASES, JETPACK_ALIASES } from './rules/jetpack.js';
export {
  type DocumentLine,
  OPERATOR_DOCUMENTS,
  type OperatorDocument,
  type OperatorRow,
} from './rules/operator-documents.js';
export { TENSORRT_ALIASES, TENSORRT_RULES, tensorrtRules } from './rules/tensorrt.js';
export { TrtSession } from './session.js';
