// What reduced precision costs: a reference model (FP32) and a candidate (INT8 QDQ, FP16) run on
// the same feeds, their outputs compared with streamed metrics, and the tensors they share
// compared layer by layer to find where the error enters.

import {
  ArgumentError,
  checkNumber,
  checkOneOf,
  checkPositiveInteger,
  formatTable,
  type Tensor,
} from '@edge/core';
import { Graph, type OnnxModel } from '@edge/onnx-parse';
import {
  calibrationTensors,
  type FeedSource,
  floatValues,
  type RunSetOptions,
  runOverFeeds,
} from './collect.js';

/**
 * How an output is read: class scores (`[N, classes]`), a one-channel probability map, per-pixel
 * class scores of a segmentation (`[N, classes, H, W]`, arg-max per pixel), or plain numbers.
 */
export type OutputKind = 'classification' | 'map' | 'segmentation' | 'raw';

/** Options of {@link compareModels}. */
export interface CompareOptions extends RunSetOptions {
  /**
   * How to read every output; default per output: rank 2 is `classification`, rank 4 with one
   * channel is `map` (binary segmentation, text detection), anything else `raw`; `segmentation`
   * (several classes per pixel) is never guessed, since a rank-4 output may be features.
   */
  readonly kind?: OutputKind;
  /** Threshold that binarises `map` outputs; default 0.3 (PaddleOCR's DB threshold). */
  readonly threshold?: number;
  /**
   * `classification`: rows whose reference top score reaches this are counted apart as confident
   * ({@link OutputMetrics.confident}); default 0.9 (scores are probabilities after a Softmax).
   */
  readonly confidence?: number;
  /** Layers to list in {@link ComparisonReport.layers}; 0 skips the layer comparison. Default 10. */
  readonly layers?: number;
}

/** Metrics of one output over every feed. */
export interface OutputMetrics {
  readonly name: string;
  readonly kind: OutputKind;
  /** Cosine similarity of the two outputs, all feeds concatenated. */
  readonly cosine: number;
  readonly maxAbsError: number;
  readonly meanAbsError: number;
  /** `classification`: share of rows whose arg-max class agrees; `segmentation`: share of pixels. */
  readonly top1Agreement?: number;
  /**
   * `classification`: top-1 agreement apart on the rows where the reference is confident (top
   * score at least `options.confidence`) and on the others.
   */
  readonly confident?: {
    readonly rows: number;
    readonly top1Agreement: number;
    readonly otherRows: number;
    readonly otherTop1Agreement: number;
  };
  /**
   * `map`: intersection over union of the binarised maps, all feeds pooled; `segmentation`: the
   * mean over classes of the per-class IoU of the arg-max masks (classes absent from both skipped).
   */
  readonly iou?: number;
  /** `map`, `segmentation`: the lowest per-feed IoU (feeds with nothing to compare skipped). */
  readonly minIou?: number;
}

/** How much a tensor's error grew over its inputs'. */
export interface LayerError {
  /** Tensor name (the same in both models). */
  readonly tensor: string;
  /** Op type of the node that computes it in the candidate (a folded Conv, for instance). */
  readonly op: string;
  /** Relative error ‖candidate − reference‖ / ‖reference‖ over every feed. */
  readonly error: number;
  /** `error` minus the largest relative error of the node's compared inputs. */
  readonly growth: number;
}

/** Result of {@link compareModels}; plain data, ready for JSON. */
export interface ComparisonReport {
  readonly samples: number;
  readonly outputs: readonly OutputMetrics[];
  /** The compared tensors whose error grew most, largest growth first (`options.layers` of them). */
  readonly layers: readonly LayerError[];
  /** Every compared tensor, in graph order (what a chart of error per layer plots). */
  readonly allLayers: readonly LayerError[];
  readonly elapsedMs: number;
}

/**
 * Streamed metrics of one output: `add` each reference/candidate pair, then `metrics`.
 *
 * @internal Shared with the sensitivity sweep.
 */
export class OutputAccumulator {
  private dot = 0;
  private aa = 0;
  private bb = 0;
  private maxAbs = 0;
  private sumAbs = 0;
  private count = 0;
  private rows = 0;
  private agree = 0;
  private sureRows = 0;
  private sureAgree = 0;
  private inter = 0;
  private union = 0;
  private minIou = Number.POSITIVE_INFINITY;
  private lastShape: readonly number[] = [];
  private classInter: Float64Array = new Float64Array(0);
  private classUnion: Float64Array = new Float64Array(0);

  constructor(
    readonly name: string,
    readonly kind: OutputKind | undefined,
    readonly threshold: number,
    readonly confidence = 0.9,
  ) {}

  private resolvedKind(shape: readonly number[]): OutputKind {
    if (this.kind) return this.kind;
    if (shape.length === 2) return 'classification';
    return shape.length === 4 && shape[1] === 1 ? 'map' : 'raw';
  }

  add(ref: Tensor, cand: Tensor): void {
    if (ref.shape.join() !== cand.shape.join()) {
      throw new ArgumentError(
        `output '${this.name}' has shape [${cand.shape.join(',')}] in the candidate but [${ref.shape.join(',')}] in the reference`,
      );
    }
    const kind = this.resolvedKind(ref.shape);
    this.lastShape = ref.shape;
    const a = floatValues(ref);
    const b = floatValues(cand);
    let inter = 0;
    let union = 0;
    const t = this.threshold;
    for (let i = 0; i < a.length; i++) {
      const x = a[i]!;
      const y = b[i]!;
      const d = Math.abs(x - y);
      this.dot += x * y;
      this.aa += x * x;
      this.bb += y * y;
      this.sumAbs += d;
      if (d > this.maxAbs) this.maxAbs = d;
      const p = x > t;
      const q = y > t;
      if (p && q) inter++;
      if (p || q) union++;
    }
    this.count += a.length;
    if (kind === 'map') {
      this.inter += inter;
      this.union += union;
      if (union > 0) this.minIou = Math.min(this.minIou, inter / union);
    }
    if (kind === 'segmentation') {
      this.addSegmentation(ref.shape, a, b);
      return;
    }
    if (kind !== 'classification') return;
    const cols = ref.shape[ref.shape.length - 1] ?? 1;
    for (let r = 0; r + cols <= a.length; r += cols) {
      let ia = r;
      let ib = r;
      for (let c = r + 1; c < r + cols; c++) {
        if (a[c]! > a[ia]!) ia = c;
        if (b[c]! > b[ib]!) ib = c;
      }
      this.rows++;
      if (ia === ib) this.agree++;
      if (a[ia]! >= this.confidence) {
        this.sureRows++;
        if (ia === ib) this.sureAgree++;
      }
    }
  }

  /** Arg-max per pixel over the class axis of `[N, C, H, W]`; per-class IoU counts. */
  private addSegmentation(shape: readonly number[], a: Float32Array, b: Float32Array): void {
    const [n = 1, c = 1] = shape;
    const hw = a.length / (n * c);
    if (this.classInter.length < c) {
      const grow = (old: Float64Array) => Float64Array.from({ length: c }, (_, k) => old[k] ?? 0);
      this.classInter = grow(this.classInter);
      this.classUnion = grow(this.classUnion);
    }
    const inter = new Float64Array(c);
    const union = new Float64Array(c);
    for (let img = 0; img < n; img++) {
      const base = img * c * hw;
      for (let p = 0; p < hw; p++) {
        let ia = 0;
        let ib = 0;
        for (let k = 1; k < c; k++) {
          const at = base + k * hw + p;
          if (a[at]! > a[base + ia * hw + p]!) ia = k;
          if (b[at]! > b[base + ib * hw + p]!) ib = k;
        }
        this.rows++;
        union[ia] = union[ia]! + 1;
        if (ia === ib) {
          this.agree++;
          inter[ia] = inter[ia]! + 1;
        } else union[ib] = union[ib]! + 1;
      }
    }
    let sum = 0;
    let classes = 0;
    for (let k = 0; k < c; k++) {
      this.classInter[k]! += inter[k]!;
      this.classUnion[k]! += union[k]!;
      if (union[k]! > 0) {
        sum += inter[k]! / union[k]!;
        classes++;
      }
    }
    if (classes > 0) this.minIou = Math.min(this.minIou, sum / classes);
  }

  metrics(): OutputMetrics {
    const kind = this.resolvedKind(this.lastShape);
    const norm = Math.sqrt(this.aa * this.bb);
    return {
      name: this.name,
      kind,
      cosine: norm > 0 ? this.dot / norm : this.aa === this.bb ? 1 : 0,
      maxAbsError: this.maxAbs,
      meanAbsError: this.count ? this.sumAbs / this.count : 0,
      ...(kind === 'classification' || kind === 'segmentation'
        ? { top1Agreement: this.rows ? this.agree / this.rows : 1 }
        : {}),
      ...(kind === 'classification'
        ? {
            confident: {
              rows: this.sureRows,
              top1Agreement: this.sureRows ? this.sureAgree / this.sureRows : 1,
              otherRows: this.rows - this.sureRows,
              otherTop1Agreement:
                this.rows > this.sureRows ? (this.agree - this.sureAgree) / (this.rows - this.sureRows) : 1,
            },
          }
        : {}),
      ...(kind === 'map' || kind === 'segmentation'
        ? { iou: this.pooledIou(kind), minIou: Number.isFinite(this.minIou) ? this.minIou : 1 }
        : {}),
    };
  }

  private pooledIou(kind: OutputKind): number {
    if (kind === 'map') return this.union ? this.inter / this.union : 1;
    let sum = 0;
    let classes = 0;
    for (let k = 0; k < this.classUnion.length; k++) {
      if (this.classUnion[k]! === 0) continue;
      sum += this.classInter[k]! / this.classUnion[k]!;
      classes++;
    }
    return classes ? sum / classes : 1;
  }
}

/**
 * Checks how outputs are to be read; returns the threshold of `map` outputs.
 *
 * @internal
 * @throws ArgumentError on a bad kind or threshold.
 */
export function checkReadOptions(options: Pick<CompareOptions, 'kind' | 'threshold' | 'confidence'>): number {
  const threshold = options.threshold ?? 0.3;
  checkNumber('options.threshold', threshold);
  if (options.confidence !== undefined)
    checkNumber('options.confidence', options.confidence, { min: 0, max: 1 });
  if (options.kind !== undefined)
    checkOneOf('options.kind', options.kind, ['classification', 'map', 'segmentation', 'raw'] as const);
  return threshold;
}

/**
 * Runs `reference` and `candidate` on the same feeds and measures what the candidate loses:
 * cosine similarity, maximum and mean absolute error of each output, top-1 agreement for class
 * scores, IoU of binarised maps, and (unless `options.layers` is 0) the tensors whose error grows
 * most, found by running both models again with their shared tensors exposed. Statistics are
 * streamed: memory does not grow with the number of feeds.
 *
 * @throws ArgumentError when the models' outputs differ in name or shape, or on bad options.
 * @throws AbortedError when `options.signal` aborts.
 */
export async function compareModels(
  reference: OnnxModel,
  candidate: OnnxModel,
  feeds: FeedSource,
  options: CompareOptions,
): Promise<ComparisonReport> {
  const threshold = checkReadOptions(options);
  const top = options.layers ?? 10;
  if (top !== 0) checkPositiveInteger('options.layers', top);
  const refGraph = new Graph(reference);
  const candGraph = new Graph(candidate);
  const names = refGraph.outputs.map((v) => v.name);
  const missing = names.find((n) => !candGraph.outputs.some((v) => v.name === n));
  if (missing !== undefined) {
    throw new ArgumentError(`output '${missing}' of the reference model is not an output of the candidate`);
  }
  const outputs = names.map((n) => new OutputAccumulator(n, options.kind, threshold, options.confidence));

  // Tensors computed by both models under the same name (Q/DQ and Cast nodes keep them).
  const candProduced = new Set(candGraph.nodes.flatMap((n) => n.outputs));
  const shared =
    top === 0 ? [] : calibrationTensors(reference).filter((t) => candProduced.has(t) && refGraph.producer(t));
  const layerAcc = new Map(shared.map((t) => [t, { diff: 0, ref: 0 }]));

  const models = [
    { model: reference, tensors: shared },
    { model: candidate, tensors: [] },
    ...(shared.length ? [{ model: candidate, tensors: shared }] : []),
  ];
  const { samples, elapsedMs } = await runOverFeeds('comparison', models, feeds, options, (results) => {
    const [ref, cand, candExposed] = results as [
      Record<string, Tensor>,
      Record<string, Tensor>,
      Record<string, Tensor>?,
    ];
    for (const acc of outputs) acc.add(ref[acc.name]!, cand[acc.name]!);
    if (!candExposed) return;
    for (const [t, acc] of layerAcc) {
      const a = floatValues(ref[t]!);
      const b = floatValues(candExposed[t]!);
      let diff = 0;
      let norm = 0;
      for (let i = 0; i < a.length; i++) {
        const d = a[i]! - b[i]!;
        diff += d * d;
        norm += a[i]! * a[i]!;
      }
      acc.diff += diff;
      acc.ref += norm;
    }
  });

  const error = new Map(
    [...layerAcc].map(([t, a]) => [t, a.ref > 0 ? Math.sqrt(a.diff / a.ref) : Math.sqrt(a.diff)]),
  );
  // A tensor's inputs are read from the candidate, where folding may have merged nodes: the folded
  // Conv that writes a BatchNormalization's output name reads the Conv's input. Q/DQ pairs are
  // looked through to the tensor they quantize.
  const source = (name: string): string => {
    const dq = candGraph.producer(name);
    const q = dq?.opType === 'DequantizeLinear' ? candGraph.producer(dq.inputs[0]!) : undefined;
    return q?.opType === 'QuantizeLinear' ? q.inputs[0]! : name;
  };
  const allLayers = [...error].map(([tensor, e]): LayerError => {
    const node = candGraph.producer(tensor) ?? refGraph.producer(tensor)!;
    const before = Math.max(0, ...node.inputs.map((i) => error.get(source(i)) ?? 0));
    return { tensor, op: node.opType, error: e, growth: e - before };
  });
  const layers = [...allLayers].sort((x, y) => y.growth - x.growth).slice(0, top);
  return { samples, outputs: outputs.map((o) => o.metrics()), layers, allLayers, elapsedMs };
}

function fixed(v: number | undefined, digits: number): string {
  return v === undefined ? '-' : v.toFixed(digits);
}

/**
 * The header and one row per output, as the terminal table and the HTML page show them.
 *
 * @internal
 */
export function outputRows(report: ComparisonReport): string[][] {
  return [
    ['output', 'kind', 'cosine', 'max |err|', 'mean |err|', 'top-1', 'IoU', 'min IoU'],
    ...report.outputs.map((o) => [
      o.name,
      o.kind,
      fixed(o.cosine, 6),
      fixed(o.maxAbsError, 5),
      fixed(o.meanAbsError, 6),
      o.top1Agreement === undefined ? '-' : percent(o.top1Agreement),
      fixed(o.iou, 4),
      fixed(o.minIou, 4),
    ]),
  ];
}

const percent = (v: number) => `${(v * 100).toFixed(2)}%`;

/**
 * Per classification output: its top-1 agreement on the rows where the reference was confident,
 * and on the others.
 *
 * @internal
 */
export function confidenceLines(report: ComparisonReport): string[] {
  return report.outputs.flatMap((o) =>
    o.confident
      ? [
          `${o.name}: top-1 agreement ${percent(o.confident.top1Agreement)} on ${o.confident.rows} rows where the reference is confident, ${percent(o.confident.otherTop1Agreement)} on the ${o.confident.otherRows} others`,
        ]
      : [],
  );
}

/** The report as a terminal table: one row per output, then the layers whose error grew most. */
export function formatComparison(report: ComparisonReport): string {
  const lines = [
    `${report.samples} feeds compared in ${(report.elapsedMs / 1000).toFixed(1)} s`,
    '',
    formatTable(outputRows(report), { right: (c) => c > 0 }),
    ...confidenceLines(report),
  ];
  if (report.layers.length) {
    lines.push('', 'layers whose relative error grew most');
    const layers = report.layers.map((l) => [l.tensor, l.op, fixed(l.error, 5), fixed(l.growth, 5)]);
    lines.push(formatTable([['tensor', 'op', 'rel. error', 'growth'], ...layers], { right: (c) => c > 1 }));
  }
  return lines.join('\n');
}
