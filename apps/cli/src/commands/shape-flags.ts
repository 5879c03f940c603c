// The one parser of `--shape` flags (edge inspect, check, convert). Which names are graph inputs is
// the libraries' to check (inferShapes and the checker refuse an unknown one with the model's input
// list); this file only reads the flag's syntax and finds the first input for a bare DIMS.

import { type Dim, type OnnxModel, readModelFile } from '@edge/onnx-parse';
import { UsageError } from '../command.js';

/** Help text of the flag, the same in every command that takes it. */
export const SHAPE_FLAG_USAGE: string = `--shape n=DIMS   assume this shape for input n, DIMS like 1x3x640x640: positive integers or
                   symbolic names (N, batch) joined by x, or by commas (for names that hold an x);
                   a bare DIMS applies to the first input`;

const NUMBER = /^[1-9]\d*$/;
const SYMBOL = /^[A-Za-z_][\w.]*$/;
/** ONNX dims are int64, but no engine takes a side past int32. */
const MAX_DIM = 2 ** 31 - 1;

function dims(flag: string, text: string): Dim[] {
  const parts = text.split(text.includes(',') ? ',' : 'x');
  if (parts.every((d) => (NUMBER.test(d) && Number(d) <= MAX_DIM) || SYMBOL.test(d))) {
    return parts.map((d) => (NUMBER.test(d) ? Number(d) : d));
  }
  throw new UsageError(`--shape expects dims like 1x3x640x640 (numbers or names), got '${flag}'`);
}

function firstInput(model: OnnxModel): string {
  const inits = new Set(model.graph.initializers.map((t) => t.name));
  const first = model.graph.inputs.find((v) => !inits.has(v.name));
  if (!first) throw new UsageError('--shape without a name, but the model has no inputs');
  return first.name;
}

/**
 * `--shape` flags as input shapes by name. A flag is `name=DIMS` (the name may itself hold `=`:
 * the last one splits) or a bare `DIMS` for the model's first graph input; DIMS are positive
 * integers (below 2^31) or symbolic names joined by `x`, or by commas when there is any comma (so a
 * name may hold an x). An input may be named once. The model (read from
 * `model` when it is a path) is needed only for a bare DIMS. Returns undefined without flags.
 *
 * @throws UsageError for bad DIMS, an empty name, an input named twice, or a bare DIMS on a model
 * without inputs.
 */
export function parseShapeFlags(
  flags: readonly string[],
  model: string | OnnxModel,
): Record<string, Dim[]> | undefined {
  if (flags.length === 0) return undefined;
  const out = new Map<string, Dim[]>();
  for (const flag of flags) {
    const eq = flag.lastIndexOf('=');
    if (eq === 0) throw new UsageError(`--shape expects name=DIMS or DIMS, got '${flag}' (no name)`);
    const shape = dims(flag, eq > 0 ? flag.slice(eq + 1) : flag);
    const name =
      eq > 0 ? flag.slice(0, eq) : firstInput(typeof model === 'string' ? readModelFile(model) : model);
    if (out.has(name)) throw new UsageError(`--shape gives input '${name}' twice`);
    out.set(name, shape);
  }
  return Object.fromEntries(out);
}
