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
}
