// The OCR pipeline over PaddleOCR's three models: the DB detector finds text boxes, each box is
// cut out upright by a perspective crop, the direction classifier turns the upside-down ones, and
// the recogniser reads them in batches (crops sorted by aspect ratio and padded on the right to a
// width bucket, so a batch wastes little and the engine sees few shapes), CTC greedy decoding with
// the recogniser's dictionary; lines come back in reading order.

import { ArgumentError, checkNumber, checkPositiveInteger, invalidArgument, type Tensor } from '@edge/core';
import {
  type Box,
  type ImageInput,
  loadImage,
  type Point,
  type PreprocessSpec,
  type PresetName,
  preprocessSync,
  type RawImage,
} from '@edge/preprocess';
import type { TextDetectionConfig } from '../heads/text-detection.js';
import { floatValues } from '../heads/values.js';
import { specForInput } from '../infer/spec.js';
import type { InputSpec } from '../load/input-spec.js';
import { type LoadModelOptions, loadModel } from '../load/load-model.js';
import type { Model } from '../load/model.js';
import { cropQuad, growQuad, rotate180 } from './crop-quad.js';
import { type DecodedText, decodeCtc, readOcrDictionary } from './ctc.js';
import { readingOrder } from './reading-order.js';

/** Loaded models of an OCR pipeline and the recogniser's dictionary. */
export interface OcrModels {
  /** Text detector with a probability map output (PaddleOCR DB). */
  readonly det: Model;
  /** Recogniser `[N, 3, 48, W]` to per-step class probabilities `[N, T, classes]`. */
  readonly rec: Model;
  /** Direction classifier `[N, 3, 48, 192]` to `[N, 2]` (0 and 180 degrees); none: no turning. */
  readonly cls?: Model;
  /** The recogniser's characters: class i (i >= 1) is `dictionary[i - 1]`, class 0 the CTC blank. */
  readonly dictionary: readonly string[];
}

/** Where `loadOcr` finds the models: paths or bytes, and the dictionary as a file or characters. */
export interface OcrModelFiles {
  readonly det: string | Uint8Array;
  readonly rec: string | Uint8Array;
  readonly cls?: string | Uint8Array;
  /** A PaddleOCR dictionary file (the space is appended, see {@link readOcrDictionary}) or the characters themselves. */
  readonly dictionary: string | readonly string[];
}

/** Loaded OCR models that can be disposed together. */
export interface OcrPipeline extends OcrModels, AsyncDisposable {
  /** Disposes every model. */
  dispose(): Promise<void>;
}

/** Options of {@link ocr}. */
export interface OcrOptions {
  /** Text detection settings over the head's defaults (PaddleOCR's DBPostProcess). */
  readonly detection?: Partial<TextDetectionConfig>;
  /** Detector preprocessing; default the `paddleocr-det` preset (longer side at most 960). */
  readonly detectionPreprocess?: PreprocessSpec | PresetName;
  /** Crops per classifier and recogniser run. Default 6 (PaddleOCR's `rec_batch_num`); a fixed batch in the model wins. */
  readonly batchSize?: number;
  /**
   * Widths a recogniser batch is padded to (ascending); a batch takes the smallest that holds its
   * widest crop at the model's height, and crops wider than the last are squeezed into it. Default
   * 128 to 512 in steps of 64, then 640, 768, 896, 1024, 1280, 1536, 1920; a fixed width in the model wins.
   */
  readonly widthBuckets?: readonly number[];
  /**
   * A crop is turned when the classifier says 180 degrees with at least this probability, and
   * read both ways (the more confident reading kept) when neither way reaches it. Default 0.9
   * (PaddleOCR's `cls_thresh`).
   */
  readonly angleThreshold?: number;
  /**
   * Margin added around each detected box before it is cropped for the recogniser, as a fraction
   * of the box's shorter side on every side, but never past halfway to a neighbouring box (a
   * neighbour's ink in the crop confuses the recogniser). PP-OCRv4's detector boxes can hug the
   * ink and cut ascenders and descenders, and its recogniser then drops the spaces between
   * words. Default 0.2.
   */
  readonly cropMargin?: number;
  /** Lines read with a lower confidence are dropped. Default 0.5 (PaddleOCR's `drop_score`). */
  readonly minConfidence?: number;
  /** Largest accepted image in pixels. Default 100 megapixels. */
  readonly maxPixels?: number;
  /** Cancels the runs. */
  readonly signal?: AbortSignal;
  /** Called after each image is read: `done` of `total`. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** One line of text on the original image. */
export interface OcrLine {
  readonly text: string;
  /** Mean probability of the recognised characters. */
  readonly confidence: number;
  /** Corners top-left, top-right, bottom-right, bottom-left of the text box, original pixels. */
  readonly polygon: readonly [Point, Point, Point, Point];
  /** Axis-aligned bounds of the polygon `[x1, y1, x2, y2]`. */
  readonly box: Box;
  /** The detector's score of the box. */
  readonly detectionScore: number;
  /** Whether the classifier turned the crop half a turn before reading it. */
  readonly turned: boolean;
}

/** The text of one image, lines in reading order. */
export interface OcrResult {
  /** The input's path, or `images[i]`. */
  readonly source: string;
  readonly width: number;
  readonly height: number;
  readonly lines: readonly OcrLine[];
}

const DEFAULT_BUCKETS: readonly number[] = Object.freeze([
  128, 192, 256, 320, 384, 448, 512, 640, 768, 896, 1024, 1280, 1536, 1920,
]);

interface Settings {
  batch: number;
  buckets: readonly number[];
  angleThreshold: number;
  minConfidence: number;
  cropMargin: number;
}

function imageSpec(model: Model, what: string): InputSpec {
  const specs = model.inputSpecs;
  if (specs.length !== 1 || specs[0]!.shape.length !== 4) {
    throw new ArgumentError(
      `${what} ${model.source}: needs one 4-D image input, has ${specs.map((s) => `'${s.name}' [${s.shape.join(',')}]`).join(', ')}`,
    );
  }
  return specs[0]!;
}

function checkSettings(options: OcrOptions): Settings {
  const batch =
    options.batchSize === undefined ? 6 : checkPositiveInteger('options.batchSize', options.batchSize);
  let buckets = DEFAULT_BUCKETS;
  if (options.widthBuckets !== undefined) {
    const b = options.widthBuckets;
    if (
      !Array.isArray(b) ||
      b.length === 0 ||
      b.some((w, i) => !Number.isInteger(w) || w < 1 || (i > 0 && w <= b[i - 1]!))
    ) {
      throw invalidArgument('options.widthBuckets', b, 'non-empty ascending array of positive integers');
    }
    buckets = b;
  }
  return {
    batch,
    buckets,
    angleThreshold: checkNumber('options.angleThreshold', options.angleThreshold ?? 0.9, { min: 0, max: 1 }),
    minConfidence: checkNumber('options.minConfidence', options.minConfidence ?? 0.5, { min: 0, max: 1 }),
    cropMargin: checkNumber('options.cropMargin', options.cropMargin ?? 0.2, { min: 0, max: 2 }),
  };
}

/**
 * Each box's crop margin: `fraction` of its shorter side, cut down to half the gap to the nearest
 * box beside it (above or below where they overlap across, left or right where they overlap down).
 */
function marginsWithin(boxes: readonly Box[], fraction: number): number[] {
  return boxes.map((a, i) => {
    const short = Math.min(a[2] - a[0], a[3] - a[1]);
    let room = fraction * short;
    boxes.forEach((b, j) => {
      if (j === i) return;
      const across = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
      const down = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
      if (across > 0) room = Math.min(room, Math.max(0, Math.max(b[1] - a[3], a[1] - b[3]) / 2));
      if (down > 0) room = Math.min(room, Math.max(0, Math.max(b[0] - a[2], a[0] - b[2]) / 2));
    });
    return short === 0 ? 0 : room / short;
  });
}

/** Splits `items` into runs of `size`; a model with a fixed batch gets its last run filled up with copies. */
function chunks<T>(items: readonly T[], size: number, fill: boolean): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    const run = items.slice(i, i + size);
    while (fill && run.length < size) run.push(run[run.length - 1]!);
    out.push(run);
  }
  return out;
}

async function runOne(
  model: Model,
  input: InputSpec,
  tensor: Tensor,
  signal: AbortSignal | undefined,
): Promise<Tensor> {
  const outputs = await model.run({ [input.name]: tensor }, signal === undefined ? {} : { signal });
  return outputs[model.outputs[0]!.name]!;
}

/** The classifier's probability that each crop is upside down. */
async function upsideDown(
  cls: Model,
  crops: readonly RawImage[],
  s: Settings,
  signal: AbortSignal | undefined,
): Promise<number[]> {
  const input = imageSpec(cls, 'classifier');
  const spec = specForInput(input, 'paddleocr-cls', undefined);
  const size = input.batch ?? s.batch;
  const answers = await Promise.all(
    chunks(crops, size, input.batch !== null).map(async (run) => {
      const out = await runOne(cls, input, preprocessSync(run, spec).tensor, signal);
      const p = floatValues(out);
      const classes = out.size / out.shape[0]!;
      return run.map((_, i) => p[i * classes + 1]!);
    }),
  );
  return answers.flat().slice(0, crops.length);
}

/**
 * Reads every crop. Each crop is resized to the model's height and given the smallest width
 * bucket that holds it; crops of one bucket are batched together, so no crop is padded past its
 * own bucket (the recogniser's attention sees the padding, and a crop padded to twice its width
 * loses the spaces between words).
 */
async function recognise(
  models: OcrModels,
  crops: readonly RawImage[],
  s: Settings,
  signal: AbortSignal | undefined,
): Promise<DecodedText[]> {
  const { rec, dictionary } = models;
  const input = imageSpec(rec, 'recogniser');
  const height = input.height ?? 48;
  const buckets = input.width === null ? s.buckets : [input.width];
  const groups = new Map<number, number[]>();
  crops.forEach((c, i) => {
    const wanted = Math.ceil((height * c.width) / c.height);
    const width = buckets.find((b) => b >= wanted) ?? buckets.at(-1)!;
    groups.set(width, [...(groups.get(width) ?? []), i]);
  });
  const size = input.batch ?? s.batch;
  const results = new Array<DecodedText>(crops.length);
  const runs = [...groups].flatMap(([width, members]) =>
    chunks(members, size, input.batch !== null).map((run) => ({ width, run })),
  );
  await Promise.all(
    runs.map(async ({ width, run }) => {
      const spec = specForInput(input, 'paddleocr-rec', { size: { width, height } });
      const out = await runOne(
        rec,
        input,
        preprocessSync(
          run.map((i) => crops[i]!),
          spec,
        ).tensor,
        signal,
      );
      if (out.shape.length !== 3) {
        throw new ArgumentError(
          `recogniser ${rec.source}: expected per-step class probabilities [N, T, classes], got [${out.shape.join(',')}]`,
        );
      }
      const [, steps, classes] = out.shape as [number, number, number];
      const probs = floatValues(out);
      run.forEach((crop, row) => {
        results[crop] ??= decodeCtc(probs, steps, classes, dictionary, row * steps * classes);
      });
    }),
  );
  return results;
}

/**
 * Reads the text of each image: detection, perspective crops, direction classification (when
 * `models.cls` is given), batched recognition, lines in reading order with their boxes and
 * confidence.
 *
 * @example
 * ```ts
 * const models = await loadOcr({ det, rec, cls, dictionary: 'ppocr_keys_v1.txt' });
 * const [page] = await ocr(models, 'page.png');
 * for (const line of page.lines) console.log(line.text, line.confidence.toFixed(2));
 * await models.dispose();
 * ```
 * @throws {@link ArgumentError} for a bad option, a model without one image input, or a
 * recogniser whose class count is not the dictionary's plus the blank.
 * @throws {@link FileIOError} for an image that cannot be read or decoded.
 * @throws the errors of `model.run` (aborted, timed out, engine failures).
 */
export async function ocr(
  models: OcrModels,
  images: ImageInput | readonly ImageInput[],
  options: OcrOptions = {},
): Promise<OcrResult[]> {
  if (
    typeof models !== 'object' ||
    models === null ||
    models.det === undefined ||
    models.rec === undefined ||
    !Array.isArray(models.dictionary)
  ) {
    throw invalidArgument('models', models, '{ det, rec, cls?, dictionary } (see loadOcr)');
  }
  if (typeof options !== 'object' || options === null) throw invalidArgument('options', options, 'object');
  const s = checkSettings(options);
  const list: readonly ImageInput[] = Array.isArray(images) ? images : [images as ImageInput];
  if (list.length === 0) throw invalidArgument('images', images, 'at least one image');
  const { signal } = options;
  const results: OcrResult[] = [];
  for (const [i, item] of list.entries()) {
    const source = typeof item === 'string' ? item : `images[${i}]`;
    const src = await loadImage(
      item,
      source,
      options.maxPixels === undefined ? {} : { maxPixels: options.maxPixels },
    );
    const frame: RawImage = {
      data: src.data,
      width: src.width,
      height: src.height,
      stride: src.stride,
      order: src.order,
    };
    const [found] = await models.det.infer(frame, {
      task: 'text',
      preprocess: options.detectionPreprocess ?? 'paddleocr-det',
      ...(options.detection === undefined ? {} : { config: options.detection }),
      ...(signal === undefined ? {} : { signal }),
    });
    const boxes = found!.boxes;
    const margins = marginsWithin(
      boxes.map((b) => b.box),
      s.cropMargin,
    );
    const crops = boxes.map((b, k) => cropQuad(src, growQuad(b.polygon, margins[k]!)));
    const p180 =
      models.cls === undefined || crops.length === 0
        ? crops.map(() => 0)
        : await upsideDown(models.cls, crops, s, signal);
    // Each crop as it is, turned, or both when the classifier is unsure either way.
    const tries = p180.flatMap((p, k) =>
      (p >= s.angleThreshold ? [true] : p > 1 - s.angleThreshold ? [false, true] : [false]).map((turn) => ({
        k,
        turn,
      })),
    );
    const readings =
      tries.length === 0
        ? []
        : await recognise(
            models,
            tries.map((t) => (t.turn ? rotate180(crops[t.k]!) : crops[t.k]!)),
            s,
            signal,
          );
    const read: { text: string; confidence: number; turned: boolean }[] = [];
    tries.forEach((t, j) => {
      const r = readings[j]!;
      if (read[t.k] === undefined || r.confidence > read[t.k]!.confidence) {
        // A line never starts or ends with a space; CTC can put one in the crop's margin.
        read[t.k] = { text: r.text.trim(), confidence: r.confidence, turned: t.turn };
      }
    });
    const keep = boxes
      .map((_, k) => k)
      .filter((k) => read[k]!.text !== '' && read[k]!.confidence >= s.minConfidence);
    const lines = readingOrder(keep.map((k) => boxes[k]!.box)).map((j) => {
      const k = keep[j]!;
      const b = boxes[k]!;
      return {
        text: read[k]!.text,
        confidence: read[k]!.confidence,
        polygon: b.polygon,
        box: b.box,
        detectionScore: b.score,
        turned: read[k]!.turned,
      };
    });
    results.push({ source, width: src.width, height: src.height, lines });
    options.onProgress?.(results.length, list.length);
  }
  return results;
}

/**
 * Loads an OCR pipeline's models (each on the first backend that takes it, as `loadModel` does)
 * and its dictionary, and checks that the recogniser's class count is the dictionary's plus the
 * CTC blank.
 *
 * @throws {@link ArgumentError} when the dictionary does not match the recogniser, or as `loadModel`.
 * @throws {@link FileIOError} when a model or the dictionary cannot be read.
 * @throws {@link NoBackendError} when no backend loads a model.
 */
export async function loadOcr(files: OcrModelFiles, options: LoadModelOptions = {}): Promise<OcrPipeline> {
  if (typeof files !== 'object' || files === null)
    throw invalidArgument('files', files, '{ det, rec, cls?, dictionary }');
  const dictionary =
    typeof files.dictionary === 'string' ? readOcrDictionary(files.dictionary) : files.dictionary;
  if (
    !Array.isArray(dictionary) ||
    dictionary.length === 0 ||
    dictionary.some((c) => typeof c !== 'string')
  ) {
    throw invalidArgument(
      'files.dictionary',
      files.dictionary,
      'a dictionary file or a non-empty array of characters',
    );
  }
  const loaded: Model[] = [];
  const load = async (what: string | Uint8Array) => {
    const m = await loadModel(what, options);
    loaded.push(m);
    return m;
  };
  const dispose = async () => {
    await Promise.all(loaded.map((m) => m.dispose()));
  };
  try {
    const det = await load(files.det);
    const rec = await load(files.rec);
    const cls = files.cls === undefined ? undefined : await load(files.cls);
    const classes = rec.outputs[0]?.shape.at(-1);
    if (typeof classes === 'number' && classes !== dictionary.length + 1) {
      throw new ArgumentError(
        `recogniser ${rec.source} outputs ${classes} classes, but the dictionary has ${dictionary.length} characters (+1 for the CTC blank = ${dictionary.length + 1}); use the recogniser's own dictionary (PaddleOCR appends a space to its keys file)`,
      );
    }
    return {
      det,
      rec,
      ...(cls === undefined ? {} : { cls }),
      dictionary,
      dispose,
      [Symbol.asyncDispose]: dispose,
    };
  } catch (e) {
    await dispose();
    throw e;
  }
}
