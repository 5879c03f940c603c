import { type Dim, readModelFile } from '@edge/onnx-parse';
import { UsageError } from '../command.js';

/**
 * `--shape name=1x3x640x640` flags as input shapes; a bare `1x3x640x640` names the first graph
 * input of the ONNX model at `path`. Returns undefined when there are no flags.
 */
export function parseShapeFlags(flags: readonly string[], path: string): Record<string, Dim[]> | undefined {
  if (flags.length === 0) return undefined;
  const out: Record<string, Dim[]> = {};
  for (const flag of flags) {
    const eq = flag.lastIndexOf('=');
    let name = eq >= 0 ? flag.slice(0, eq) : '';
    const dims = (eq >= 0 ? flag.slice(eq + 1) : flag).split(/[x,]/).map((d) => {
      if (/^\d+$/.test(d) && Number(d) > 0) return Number(d);
      if (/^[A-Za-z_][\w.]*$/.test(d)) return d;
      throw new UsageError(`--shape expects dims like 1x3x640x640 (numbers or names), got '${flag}'`);
    });
    if (!name) {
      const model = readModelFile(path);
      const inits = new Set(model.graph.initializers.map((t) => t.name));
      const first = model.graph.inputs.find((v) => !inits.has(v.name));
      if (!first) throw new UsageError('--shape without a name, but the model has no inputs');
      name = first.name;
    }
    out[name] = dims;
  }
  return out;
}
