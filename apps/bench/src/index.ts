export { type Environment, formatReportMarkdown, type JsonReport } from './harness/report.js';
export {
  type BareSession,
  bareOnnxruntime,
  type OpencvSamples,
  opencvBaseline,
} from './measure/baselines.js';
export { feedsFor, type InputPlan, planInputs } from './measure/inputs.js';
export { benchMachine, cpuSpeedFlags, SPEED_FLAGS } from './measure/machine.js';
export {
  type ModelFile,
  ModelVariants,
  PRECISIONS,
  type Precision,
  readModelBytes,
} from './measure/model-variants.js';
export { type PipelineSetup, STAGES, type Stage, type StageTimes } from './measure/pipeline.js';
export { type BenchOptions, type BenchProgress, runBench, SCENARIOS } from './measure/run-bench.js';
export {
  type LoopResult,
  poissonArrivals,
  type Runner,
  type RunnerSamples,
  runSequential,
  runServer,
  type Schedule,
  type ServerRuns,
  warmUpServer,
} from './measure/scenarios.js';
export { latencyHistogram, latencyStats, PERCENTILES, percentile } from './measure/stats.js';
export {
  type BenchReport,
  type BenchSettings,
  configKey,
  includeRecords,
  isBenchReport,
  readBenchRecords,
  recordLabel,
  type SkippedConfig,
} from './report/bench-report.js';
export {
  type CompareOptions,
  type Comparison,
  type ComparisonRow,
  compareRecords,
  type Verdict,
} from './report/compare.js';
export { type ChartData, chartData, chartJsSource, renderHtml } from './report/html.js';
export { formatMarkdown, markdownTable } from './report/markdown.js';
export {
  type CheckReportLike,
  type GraphEdge,
  type GraphIssue,
  type GraphNode,
  type GraphTarget,
  type ModelGraph,
  modelGraph,
  renderModelGraphHtml,
  withCheckReport,
} from './report/model-graph.js';
export { machineLine, type ReportTable, reportTables, reportWarnings } from './report/tables.js';
export { formatText } from './report/text.js';
export { type ReportFiles, writeReports } from './report/write.js';
