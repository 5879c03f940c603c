// What a benchmark is and what it returns. A benchmark measures and returns numbers; the harness
// owns argument parsing, progress, the table, the JSON and the exit code.

/** Units the report knows how to print. Bytes are printed as KB/MB; `x` is a plain factor. */
export type Unit = 'ms' | 'bytes' | 'x' | '%' | 'count';

/** One measured number of the code under test. */
export interface Figure {
  /** What was measured, e.g. `structure-only read (readModelFile, lazy)`. */
  name: string;
  /** The value in `unit`; for timings, the median. */
  value: number;
  unit: Unit;
  /** The subject it belongs to (e.g. a model); figures without one belong to the whole run. */
  group?: string;
  /** 90th percentile, for timings. */
  p90?: number;
  /** Number of timed repetitions behind `value`. */
  runs?: number;
  /** One line on how it was measured, where the name alone does not say. */
  detail?: string;
}

/** A number measured the same way on a reference implementation (another library, a bare read). */
export interface Baseline extends Figure {
  /** What produced it, e.g. `python 3.11.2, onnx 1.12.0` or `node fs.readFileSync`. */
  source: string;
}

/** A comparison operator of a {@link Target}. */
export type TargetOp = '>=' | '>' | '<=' | '<';

/** The value a ratio must reach (e.g. `{ op: '>=', value: 20 }` for "at least 20x"). */
export interface Target {
  op: TargetOp;
  value: number;
}

/** A quotient of two numbers of the run, with an optional target it is checked against. */
export interface Ratio {
  /** e.g. `onnx.load / structure-only read`. */
  name: string;
  value: number;
  /** `x` for a factor, `%` for a share (value already multiplied by 100). */
  unit: 'x' | '%';
  /** Name of the numerator figure or baseline. */
  numerator: string;
  /** Name of the denominator figure or baseline. */
  denominator: string;
  group?: string;
  target?: Target;
  /** Whether `value` meets `target`; absent when there is no target. */
  pass?: boolean;
}

/** A subject figures are grouped by (a model, an input size), with a line saying what it is. */
export interface Group {
  name: string;
  description: string;
}

/** What a benchmark's `run` returns. */
export interface BenchResult {
  groups: Group[];
  figures: Figure[];
  baselines: Baseline[];
  ratios: Ratio[];
  /** Conditions the numbers depend on (page cache, a missing baseline, ...), printed under the table. */
  notes: string[];
  /** Anything else worth keeping in the JSON (versions, paths, raw samples). */
  details?: Record<string, unknown>;
}

/** Repetition settings a benchmark should use for its timings (from `--runs` / `--warmup`). */
export interface RepetitionOptions {
  warmup: number;
  runs: number;
}

/** What the harness gives a benchmark. */
export interface BenchContext {
  /** `--model <path>`: run on this file only. */
  modelPath?: string;
  /** Folder for generated inputs, kept between runs (git-ignored). */
  outDir: string;
  /** Repetitions for each timing. */
  repetitions: RepetitionOptions;
  /** Writes one progress line to stderr; call it before every step that takes noticeable time. */
  progress(message: string): void;
  /** Aborted on Ctrl-C; check it between steps with `signal.throwIfAborted()`. */
  signal: AbortSignal;
  /** Environment variables (overridable in tests), e.g. `EDGE_BENCH_PYTHON`. */
  env: Readonly<Record<string, string | undefined>>;
}

/** A benchmark: one file in `src/benchmarks/`, listed once in `src/benchmarks/index.ts`. */
export interface Benchmark {
  /** The name given on the command line: lower-case, kebab-case. */
  name: string;
  /** One line, printed in the list of benchmarks and above the table. */
  description: string;
  /** Whether `--model <path>` means something to this benchmark. */
  acceptsModel: boolean;
  /** Default repetitions; `--runs` and `--warmup` override them. */
  repetitions: RepetitionOptions;
  run(ctx: BenchContext): Promise<BenchResult>;
}
