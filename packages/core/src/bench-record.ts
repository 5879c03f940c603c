// The result of one inference benchmark (one model, one configuration, one machine) as every
// producer writes it: `edge trt parse-log` from a trtexec log, and `edge bench` from its own runs.
// Versioned so that stored records stay readable: a change that removes or renames a field bumps
// BENCH_RECORD_SCHEMA_VERSION; adding an optional field does not.

/** Version of the {@link BenchRecord} shape written by this copy of the SDK. */
export const BENCH_RECORD_SCHEMA_VERSION = 1;

/** Summary statistics of one timed quantity, in milliseconds. */
export interface LatencyStats {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly median: number;
  /** Percentiles by their number as text (`'90'`, `'95'`, `'99'`, `'99.9'`). */
  readonly percentiles: Readonly<Record<string, number>>;
  /** Standard deviation of the samples. */
  readonly stddev?: number;
  /** Coefficient of variation, `stddev / mean` (0.05 = 5 %): how far apart repeated runs may land. */
  readonly cv?: number;
}

/** Counts of samples in equal bins from `startMs`, each `binMs` wide. */
export interface LatencyHistogram {
  readonly startMs: number;
  readonly binMs: number;
  readonly counts: readonly number[];
}

/** The MLPerf Inference scenario a record follows. */
export type BenchScenario = 'single-stream' | 'multi-stream' | 'server' | 'offline';

/** A figure of a record divided by the same figure of a baseline measured in the same run. */
export interface BenchRatio {
  /** e.g. `median latency / bare onnxruntime-node session`. */
  readonly name: string;
  /** Above 1: the record is slower (latency) or faster (throughput) than the baseline. */
  readonly value: number;
  /** The baseline's `config.baseline`. */
  readonly baseline: string;
}

/** The machine a record was measured on; fields the producer could not know are absent. */
export interface BenchMachine {
  /** e.g. `NVIDIA Jetson AGX Orin` or `NVIDIA H200`. */
  readonly gpu?: string;
  readonly computeCapability?: string;
  readonly cpu?: string;
  /** CPU flags that change speed (`avx2`, `avx512_vnni`, `amx_int8`). */
  readonly cpuFlags?: readonly string[];
  readonly tensorrt?: string;
  readonly cuda?: string;
  readonly driver?: string;
  /** JetPack release on a Jetson. */
  readonly jetpack?: string;
  /** Logical CPU cores. */
  readonly cores?: number;
  readonly memoryBytes?: number;
  /** e.g. `Debian GNU/Linux 12 (bookworm), Linux 6.1.0 x64`. */
  readonly os?: string;
  /** Node.js version, e.g. `v20.20.2`. */
  readonly node?: string;
  /** Versions of the libraries the figures depend on, e.g. `{ 'onnxruntime-node': '1.30.0' }`. */
  readonly libraries?: Readonly<Record<string, string>>;
}

/** What was measured. */
export interface BenchConfig {
  readonly model?: string;
  readonly engine?: string;
  /** Engine or backend: `tensorrt`, `onnxruntime`, `tflite`. */
  readonly backend?: string;
  /** `fp32`, `fp16`, `int8`, `best`. */
  readonly precision?: string;
  /** Input shapes by name. */
  readonly shapes?: Readonly<Record<string, readonly number[]>>;
  /** `gpu:0`, `dla:1`, `cpu`. */
  readonly device?: string;
  readonly streams?: number;
  /** Batch of the implicit-batch engines of TensorRT 7 (absent for explicit batch). */
  readonly batch?: number;
  /** The command line that produced the figures, when there was one (trtexec's). */
  readonly command?: string;
  readonly scenario?: BenchScenario;
  /** Threads one inference may use; absent: the engine's default. */
  readonly threads?: number;
  /**
   * Rows of one engine run in the offline scenario; the most rows dynamic batching gathers in the
   * server and multi-stream ones (1: batching off).
   */
  readonly batchSize?: number;
  /** Samples in one query (multi-stream). */
  readonly samplesPerQuery?: number;
  /** Arrival rate of the server scenario's Poisson process, queries per second. */
  readonly targetQps?: number;
  /** Bound on the 99th percentile latency (server, multi-stream), in ms. */
  readonly latencyBoundMs?: number;
  /** Set on a baseline measured beside the SDK's figures: what it is (`bare onnxruntime-node session`). */
  readonly baseline?: string;
}

/**
 * The figures of one benchmark. Latency is per query, host to host (end to end); stages split it
 * where the producer measures them (trtexec does).
 */
export interface BenchRecord {
  readonly schemaVersion: typeof BENCH_RECORD_SCHEMA_VERSION;
  /** Who measured: `trtexec 8.6.1`, `edge bench 0.1.0`. */
  readonly producer: string;
  readonly machine: BenchMachine;
  readonly config: BenchConfig;
  /** Queries per second. */
  readonly throughputQps?: number;
  /** End-to-end latency of one query (TensorRT: H2D + compute + D2H). */
  readonly latency?: LatencyStats;
  readonly stages: {
    readonly hostToDevice?: LatencyStats;
    readonly compute?: LatencyStats;
    readonly deviceToHost?: LatencyStats;
    /** Time the host spends enqueuing one query. */
    readonly enqueue?: LatencyStats;
  };
  /** Timed queries behind the statistics. */
  readonly queries?: number;
  readonly warmupMs?: number;
  /** Wall time of the timed part, in seconds. */
  readonly durationS?: number;
  /** Sum of the GPU compute time of every query, in seconds. */
  readonly totalComputeS?: number;
  /** What the producer warned about (unstable timing, throttling), verbatim. */
  readonly warnings: readonly string[];
  /** Samples (rows) per second: queries per second times samples per query. */
  readonly samplesPerS?: number;
  /**
   * Time of each step of one query of an image pipeline, where the producer ran one: decode (file
   * to pixels), preprocess (pixels to tensor), inference (the model), postprocess (tensor to
   * results), and their sum per query.
   */
  readonly pipeline?: {
    readonly decode?: LatencyStats;
    readonly preprocess?: LatencyStats;
    readonly inference?: LatencyStats;
    readonly postprocess?: LatencyStats;
    readonly total?: LatencyStats;
  };
  /** Distribution of the end-to-end latency. */
  readonly histogram?: LatencyHistogram;
  /** Whether the 99th percentile latency met `config.latencyBoundMs`. */
  readonly latencyBoundMet?: boolean;
  /** Figures against baselines measured in the same run. */
  readonly ratios?: readonly BenchRatio[];
  /** True when the run was stopped early (Ctrl-C): the figures are those of what was measured. */
  readonly interrupted?: boolean;
}
