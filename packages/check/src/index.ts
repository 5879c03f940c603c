export { checkModelFile, readModelGraph } from './check-file.js';
export { type CheckOptions, checkGraph } from './checker.js';
export { loadRuleTables, loadTargetAliases, resolveTargets } from './registry.js';
export {
  CHECK_REPORT_SCHEMA_VERSION,
  type CheckIssue,
  type CheckReport,
  type FallbackSummary,
  type IssueLevel,
  type TargetReport,
  type Verdict,
  verdictExitCode,
  worstVerdict,
} from './report.js';
export { OPENVINO_CPU_RULES } from './rules/openvino/cpu.js';
export { MYRIAD_RULES } from './rules/openvino/myriad.js';
