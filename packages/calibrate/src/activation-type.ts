// Which activation storage runs faster on this machine: the same QDQ model with int8 activations
// (zero point 0, TensorRT's form) and with uint8 ones (onnxruntime's x86 kernels take them without
// conversion; asymmetric ranges), timed in turns on one feed. Kernels differ by CPU (AVX2,
// AVX512-VNNI, AMX, NEON) and by runtime version, so this is measured, not assumed.

import { AbortedError, checkPositiveInteger, type Session, type TensorMap } from '@edge/core';
import { type OnnxModel, writeModel } from '@edge/onnx-parse';
import type { RunSetOptions } from './collect.js';
import { type QdqOptions, quantizeQdq } from './qdq.js';

/** Options of {@link chooseActivationType}. */
export interface ActivationChoiceOptions extends Pick<RunSetOptions, 'backend' | 'threads' | 'signal'> {
  /** Timed runs of each model, after one warm-up run; default 5. */
  readonly runs?: number;
  /** Other options of the QDQ rewrite (its `activationType` is what is chosen). */
  readonly qdq?: Omit<QdqOptions, 'activationType'>;
}

/** What {@link chooseActivationType} measured. */
export interface ActivationChoice {
  /** The faster storage. */
  readonly activationType: 'int8' | 'uint8';
  /** Median milliseconds of a run of each. */
  readonly medianMs: { readonly int8: number; readonly uint8: number };
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

/**
 * Quantizes the model both ways, runs each on `feed` in turns (`options.runs` times after a
 * warm-up) with `options.backend`, and returns the faster activation type with both medians.
 *
 * @throws ArgumentError on bad options; AbortedError when `options.signal` aborts; the backend's
 * errors when the feed does not fit the model.
 */
export async function chooseActivationType(
  model: OnnxModel,
  ranges: Readonly<Record<string, number>>,
  feed: TensorMap,
  options: ActivationChoiceOptions,
): Promise<ActivationChoice> {
  const runs = options.runs ?? 5;
  checkPositiveInteger('options.runs', runs);
  const types = ['int8', 'uint8'] as const;
  const sessions: Session[] = [];
  try {
    for (const t of types) {
      const q = quantizeQdq(model, ranges, { ...options.qdq, activationType: t });
      sessions.push(
        await options.backend.load(
          { format: 'onnx', name: `${t} activations`, bytes: writeModel(q.model) },
          { threads: options.threads },
        ),
      );
    }
    const times: number[][] = [[], []];
    for (let r = 0; r <= runs; r++) {
      for (const [k, s] of sessions.entries()) {
        if (options.signal?.aborted)
          throw new AbortedError('timing the activation types was aborted', { cause: options.signal.reason });
        const start = performance.now();
        await s.run(feed);
        if (r > 0) times[k]!.push(performance.now() - start);
      }
    }
    const medianMs = { int8: median(times[0]!), uint8: median(times[1]!) };
    return { activationType: medianMs.uint8 <= medianMs.int8 ? 'uint8' : 'int8', medianMs };
  } finally {
    for (const s of sessions) await s.dispose();
  }
}
