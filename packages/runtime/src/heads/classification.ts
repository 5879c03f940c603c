// Classification head: scores (or logits, through softmax) to the top-k classes with labels.

import { checkPositiveInteger, invalidArgument, type TensorMap } from '@edge/core';
import type { Head, HeadContext, HeadFit, ModelOutline } from './head.js';
import { dims, fit, fixed, listOutputs, unfit } from './outline.js';
import { floatValues, pickOutput } from './values.js';

/** Settings of the classification head. */
export interface ClassificationConfig {
  /** Output holding the scores, `[N, C]` (or `[N, C, 1, 1]`); default the first output. */
  readonly output?: string;
  /** Classes returned, best first. Default 5. */
  readonly topK: number;
  /**
   * Apply softmax: `auto` (default) does when the row is not already a distribution (a value
   * outside 0..1 or a sum away from 1), i.e. when the model returns logits.
   */
  readonly softmax: boolean | 'auto';
  /** Class names by index. */
  readonly labels?: readonly string[];
}

/** One class of a classification result. */
export interface ClassScore {
  readonly classId: number;
  readonly score: number;
  /** From `labels`, when given. */
  readonly label?: string;
}

/** The classes of one image, best first. */
export interface ClassificationResult {
  readonly task: 'classify';
  readonly classes: readonly ClassScore[];
}

function isDistribution(row: Float32Array): boolean {
  let sum = 0;
  for (const v of row) {
    if (v < 0 || v > 1) return false;
    sum += v;
  }
  return Math.abs(sum - 1) < 1e-3;
}

/**
 * Top-k classes of row `context.index` of the score output.
 *
 * @throws {@link ArgumentError} when the output is missing or not `[N, C]`, or `topK` is not a
 * positive integer.
 */
export function decodeClassification(
  outputs: Readonly<TensorMap>,
  context: Pick<HeadContext, 'index'>,
  config: Readonly<ClassificationConfig>,
): ClassificationResult {
  const t = pickOutput(outputs, config.output, 'classify.output');
  const topK = checkPositiveInteger('classify.topK', config.topK);
  const n = t.shape[0] ?? 0;
  const classes = t.shape.length === 0 ? 0 : t.size / Math.max(n, 1);
  if (t.shape.length < 2 || !t.shape.slice(2).every((d) => d === 1) || context.index >= n) {
    throw invalidArgument('classify output shape', [...t.shape], `[N, C] with row ${context.index}`);
  }
  const values = floatValues(t);
  let row = values.slice(context.index * classes, (context.index + 1) * classes);
  if (config.softmax === true || (config.softmax === 'auto' && !isDistribution(row))) {
    let max = Number.NEGATIVE_INFINITY;
    for (const v of row) max = Math.max(max, v);
    let sum = 0;
    const e = new Float32Array(classes);
    for (let i = 0; i < classes; i++) sum += e[i] = Math.exp(row[i]! - max);
    for (let i = 0; i < classes; i++) e[i]! /= sum;
    row = e;
  }
  const order = Array.from({ length: classes }, (_, i) => i).sort((a, b) => row[b]! - row[a]! || a - b);
  return {
    task: 'classify',
    classes: order.slice(0, topK).map((classId) => {
      const label = config.labels?.[classId];
      return label === undefined
        ? { classId, score: row[classId]! }
        : { classId, score: row[classId]!, label };
    }),
  };
}

/** One output of at least two class scores per image: `[N, C]` or `[N, C, 1, 1]`. */
function fitsClassification(model: ModelOutline): HeadFit<ClassificationConfig> {
  if (model.outputs.length !== 1) {
    return unfit(`needs one output of class scores [N, C]; the model has ${listOutputs(model)}`);
  }
  const { shape } = model.outputs[0]!;
  const classes = fixed(shape[1]);
  if (shape.length < 2 || shape.slice(2).some((d) => d !== 1) || classes === null || classes < 2) {
    return unfit(`needs class scores [N, C] with a fixed C >= 2; the output is ${dims(shape)}`);
  }
  return fit();
}

/** The classification head: softmax when the model returns logits, top-k, labels. */
export const classificationHead: Head<ClassificationConfig, ClassificationResult> = {
  task: 'classify',
  defaults: { topK: 5, softmax: 'auto' },
  fits: fitsClassification,
  decode: decodeClassification,
};
