// Optimisation profiles: TensorRT fixes every free dimension of an engine's inputs to a range
// (min, opt, max) at build time, and refuses shapes outside it at run time. The range comes from
// the model and from what the user says (`--shape`, explicit profiles), by these rules:
//   - an input with only fixed dimensions needs no profile entry;
//   - an explicit profile for an input is taken as given (checked against the model);
//   - a `--shape` gives opt (and min and max) for every dimension; a free batch dimension (index
//     0) still ranges from 1, so smaller batches run on the same engine, up to maxBatch;
//   - without either, a free batch dimension ranges over 1..maxBatch (opt 1, or maxBatch) and any
//     other free dimension is an error that names it and asks for a shape: guessing an image
//     size would build an engine for the wrong input.

import { ArgumentError, type ModelDim } from '@edge/core';
import type { ModelInput } from './model-facts.js';

/** min/opt/max of one dynamic input. */
export interface ShapeRange {
  readonly min: readonly number[];
  readonly opt: readonly number[];
  readonly max: readonly number[];
}

/** One input's entry in the optimisation profile. */
export interface ProfileEntry extends ShapeRange {
  readonly name: string;
}

/** What the caller says about input shapes. */
export interface ProfileOptions {
  /** Shapes by input name, e.g. from `--shape x=1x3x640x640`; numbers only. */
  readonly shapes?: Readonly<Record<string, readonly ModelDim[]>>;
  /** Explicit ranges by input name; take precedence over `shapes`. */
  readonly profiles?: Readonly<Record<string, ShapeRange>>;
  /** Largest batch a free batch dimension must take; default: the batch of `shapes`, else 1. */
  readonly maxBatch?: number;
}

function fmt(dims: readonly ModelDim[]): string {
  return `[${dims.map((d) => (d === null ? '?' : String(d))).join(',')}]`;
}

function checkNumbers(where: string, dims: readonly unknown[]): number[] {
  return dims.map((d, i) => {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 1) {
      throw new ArgumentError(
        `Expected positive integer for ${where}[${i}] but received ${JSON.stringify(d)} of type ${typeof d}`,
      );
    }
    return d;
  });
}

function checkAgainstModel(input: ModelInput, where: string, dims: readonly number[]): void {
  if (dims.length !== input.shape.length) {
    throw new ArgumentError(
      `Expected ${input.shape.length} dimensions (the model's ${fmt(input.shape)}) for ${where} but received ${fmt(dims)}`,
    );
  }
  input.shape.forEach((d, i) => {
    if (typeof d === 'number' && dims[i] !== d) {
      throw new ArgumentError(
        `Expected ${d} for ${where}[${i}] (fixed in the model's ${fmt(input.shape)}) but received ${dims[i]}`,
      );
    }
  });
}

function isFree(d: ModelDim): boolean {
  return typeof d !== 'number';
}

/**
 * The optimisation profile of a model's inputs: one entry per input with a free dimension.
 *
 * @throws {@link ArgumentError} naming the input and dimension when a shape or range does not fit
 * the model, a range is not ordered (min <= opt <= max), a name is not an input, or a free
 * dimension other than the batch has no shape.
 */
export function deriveProfile(inputs: readonly ModelInput[], options: ProfileOptions = {}): ProfileEntry[] {
  const names = new Set(inputs.map((i) => i.name));
  for (const key of [...Object.keys(options.shapes ?? {}), ...Object.keys(options.profiles ?? {})]) {
    if (!names.has(key)) {
      throw new ArgumentError(
        `Expected an input name of the model (${[...names].map((n) => `'${n}'`).join(', ')}) for shapes/profiles but received '${key}'`,
      );
    }
  }
  if (options.maxBatch !== undefined && (!Number.isInteger(options.maxBatch) || options.maxBatch < 1)) {
    throw new ArgumentError(
      `Expected positive integer for maxBatch but received ${JSON.stringify(options.maxBatch)} of type ${typeof options.maxBatch}`,
    );
  }
  const out: ProfileEntry[] = [];
  for (const input of inputs) {
    const explicit = options.profiles?.[input.name];
    const shape = options.shapes?.[input.name];
    const free = input.shape.some(isFree);
    if (explicit) {
      const where = `profiles['${input.name}']`;
      const min = checkNumbers(`${where}.min`, explicit.min);
      const opt = checkNumbers(`${where}.opt`, explicit.opt);
      const max = checkNumbers(`${where}.max`, explicit.max);
      for (const [k, dims] of [
        ['min', min],
        ['opt', opt],
        ['max', max],
      ] as const) {
        checkAgainstModel(input, `${where}.${k}`, dims);
      }
      min.forEach((m, i) => {
        if (!(m <= opt[i]! && opt[i]! <= max[i]!)) {
          throw new ArgumentError(
            `Expected min <= opt <= max for ${where} dimension ${i} but received ${m}, ${opt[i]}, ${max[i]}`,
          );
        }
      });
      out.push({ name: input.name, min, opt, max });
      continue;
    }
    if (!free && shape === undefined) continue;
    if (shape !== undefined) {
      const dims = checkNumbers(`shapes['${input.name}']`, shape);
      checkAgainstModel(input, `shapes['${input.name}']`, dims);
      if (!free) continue;
      const batchFree = isFree(input.shape[0] ?? 0);
      const maxBatch = Math.max(dims[0]!, options.maxBatch ?? 0);
      out.push({
        name: input.name,
        min: dims.map((d, i) => (i === 0 && batchFree ? 1 : d)),
        opt: dims,
        max: dims.map((d, i) => (i === 0 && batchFree ? maxBatch : d)),
      });
      continue;
    }
    const other = input.shape.findIndex((d, i) => i > 0 && isFree(d));
    if (other >= 0) {
      const d = input.shape[other];
      throw new ArgumentError(
        `input '${input.name}' ${fmt(input.shape)} has free dimension ${other}${typeof d === 'string' ? ` ('${d}')` : ''}, which TensorRT must fix at build time: give its shape (--shape ${input.name}=${input.shape.map((x) => (typeof x === 'number' ? x : 'N')).join('x')} with numbers) or a min/opt/max profile`,
      );
    }
    const maxBatch = options.maxBatch ?? 1;
    const fixed = input.shape.slice(1) as number[];
    out.push({ name: input.name, min: [1, ...fixed], opt: [1, ...fixed], max: [maxBatch, ...fixed] });
  }
  return out;
}
