// CTC greedy decoding of a text recogniser's per-step class probabilities (PaddleOCR's
// CTCLabelDecode), and the recogniser's dictionary: class 0 is CTC's blank, class i the
// dictionary's character i - 1.

import { readFileSync } from 'node:fs';
import { FileIOError, invalidArgument } from '@edge/core';

/** A line of text read by a recogniser. */
export interface DecodedText {
  readonly text: string;
  /** Mean probability of the characters kept (0 for an empty line). */
  readonly confidence: number;
}

/**
 * Greedy CTC decoding of one row `[steps, classes]` of probabilities starting at `offset`: the
 * best class of each step, repeats collapsed, blanks (class 0) dropped.
 *
 * @param characters - The dictionary: class i (i >= 1) is `characters[i - 1]`.
 * @throws {@link ArgumentError} when `classes` is not `characters.length + 1` or the row does not fit in `probs`.
 */
export function decodeCtc(
  probs: ArrayLike<number>,
  steps: number,
  classes: number,
  characters: readonly string[],
  offset = 0,
): DecodedText {
  if (classes !== characters.length + 1) {
    throw invalidArgument(
      'classes',
      classes,
      `${characters.length + 1} (the blank and the dictionary's ${characters.length} characters)`,
    );
  }
  if (offset < 0 || offset + steps * classes > probs.length) {
    throw invalidArgument(
      'offset',
      offset,
      `a row of ${steps} x ${classes} values inside the ${probs.length} given`,
    );
  }
  let text = '';
  let sum = 0;
  let kept = 0;
  let previous = -1;
  for (let t = 0; t < steps; t++) {
    const base = offset + t * classes;
    let best = 0;
    let p = probs[base]!;
    for (let c = 1; c < classes; c++) {
      const q = probs[base + c]!;
      if (q > p) {
        p = q;
        best = c;
      }
    }
    if (best !== 0 && best !== previous) {
      text += characters[best - 1];
      sum += p;
      kept++;
    }
    previous = best;
  }
  return { text, confidence: kept === 0 ? 0 : sum / kept };
}

/**
 * Reads a PaddleOCR dictionary file (one character per line, as `ppocr_keys_v1.txt`) and, by
 * default, appends the space as PaddleOCR does (`use_space_char`): `ppocr_keys_v1.txt` holds 6623
 * characters, and PP-OCRv4's recogniser outputs 6625 classes (blank, 6623, space).
 *
 * @throws {@link FileIOError} when the file cannot be read; {@link ArgumentError} when it is empty.
 */
export function readOcrDictionary(path: string, options: { readonly space?: boolean } = {}): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new FileIOError(
      `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      path,
      {
        cause: e,
      },
    );
  }
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  if (lines.length === 0) throw invalidArgument('dictionary', path, 'a file with one character per line');
  if (options.space ?? true) lines.push(' ');
  return lines;
}
