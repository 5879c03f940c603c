// What the checker returns: a verdict per target on the levels that matter in practice, and per
// node the rule that failed, in words, with a fix where one exists.

import type { FallbackMode, RuleSource, TargetKind } from '@edge/core';

/**
 * The verdict for one target, from best to worst: runs fully; runs only with some ops on the
 * fallback device; the engine (this version) cannot take the model; no engine can (custom ops).
 */
export type Verdict = 'deployable' | 'fallback' | 'incompatible' | 'undeployable';

/** How one finding counts; `note` is information that does not change the verdict. */
export type IssueLevel = 'undeployable' | 'incompatible' | 'fallback' | 'note';

/** One failed rule, on one node or on the whole graph. */
export interface CheckIssue {
  level: IssueLevel;
  /** Index of the op in the checked graph's topological order; absent for whole-graph findings. */
  op?: number;
  /** Node name, op type and domain ('' is the default ONNX domain). */
  node?: string;
  opType?: string;
  domain?: string;
  /** The rule in words: `Resize: coordinate_transformation_mode is 'asymmetric'`. */
  rule: string;
  /** Why it failed, in words, with what the model has. */
  reason: string;
  /** A suggested fix, when one exists. */
  fix?: string;
  /** Table the finding comes from (the fallback engine's id for ops it rejects). */
  table: string;
  source: RuleSource;
}

/** Fallback figures of an accelerator target. */
export interface FallbackSummary {
  /** The fallback device in words: `GPU`, `CPU`. */
  device: string;
  mode: FallbackMode;
  /** Ops that run on the fallback device. */
  layers: number;
  /** Tensors that cross from the accelerator to the fallback device, each a copy and a sync. */
  transitions: number;
  /** Ops that run on the accelerator. */
  acceleratorLayers: number;
}

/** The verdict on one target. */
export interface TargetReport {
  /** Target id (`trt-8.6`). */
  target: string;
  name: string;
  kind: TargetKind;
  verdict: Verdict;
  /**
   * True when the verdict rests on a rule no source settles: the table was derived from another
   * version, or a failed rule's source is marked unverified.
   */
  unverified?: boolean;
  /** One line for humans. */
  summary: string;
  /** Ops checked (Constant nodes are weights, not ops). */
  ops: number;
  fallback?: FallbackSummary;
  /** Findings, whole-graph ones first, then by op. */
  issues: CheckIssue[];
}

/**
 * Version of the {@link CheckReport} layout (what `edge check --json` prints). It goes up when a
 * field is removed or renamed or changes meaning; new fields do not change it.
 */
export const CHECK_REPORT_SCHEMA_VERSION = 1;

/**
 * The result of {@link checkGraph} on several targets, as `edge check --json` prints it. Consumers
 * of the JSON should test `schemaVersion` ({@link CHECK_REPORT_SCHEMA_VERSION}) before reading on.
 */
export interface CheckReport {
  /** The layout's version: {@link CHECK_REPORT_SCHEMA_VERSION}. */
  schemaVersion: typeof CHECK_REPORT_SCHEMA_VERSION;
  /** Graph name, or the file checked. */
  model: string;
  format: 'onnx' | 'tflite';
  ops: number;
  targets: TargetReport[];
  /** The worst verdict over the targets. */
  verdict: Verdict;
}

const ORDER: readonly Verdict[] = ['deployable', 'fallback', 'incompatible', 'undeployable'];

/** The worse of two verdicts. */
export function worstVerdict(a: Verdict, b: Verdict): Verdict {
  return ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b;
}

/**
 * Process exit code of `edge check` for a report: 0 when every target deploys fully, 1 when some
 * only with fallback, 2 when some cannot deploy (incompatible or undeployable).
 */
export function verdictExitCode(verdict: Verdict): 0 | 1 | 2 {
  return verdict === 'deployable' ? 0 : verdict === 'fallback' ? 1 : 2;
}
