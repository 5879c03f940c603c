import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { formatTable } from '@edge/core';
import {
  type Dim,
  dataTypeName,
  heaviestNodes,
  inferShapes,
  type ModelStats,
  modelStats,
  type OnnxModel,
  readModelFile,
  type TypeProto,
  type ValueInfo,
} from '@edge/onnx-parse';
import { type Command, type Io, parse, UsageError } from '../command.js';
import { formatBytes, formatCount, formatShape } from '../format.js';

const USAGE = `usage: edge inspect <model.onnx> [--json] [--shape name=1x3x640x640]... [--top N]

Prints the inputs and outputs (shapes and dtypes), opset and IR version, parameters, MACs, the op
histogram and the heaviest layers. Only the model's structure is read; weights stay on disk.

  --json           print the same as one JSON object
  --shape n=DIMS   assume this shape for input n (fixes symbolic dims so MACs are exact);
                   a bare DIMS applies to the first input
  --top N          how many heaviest layers to list (default 10)`;

/** One graph input or output as `edge inspect` reports it. */
export interface InspectValue {
  name: string;
  dtype: string;
  shape: Dim[] | null;
}

/** The JSON that `edge inspect --json` prints. */
export interface InspectReport {
  file: string;
  fileBytes: number;
  irVersion: number;
  opsets: { domain: string; version: number }[];
  producer: { name: string; version: string };
  inputs: InspectValue[];
  outputs: InspectValue[];
  nodes: number;
  parameters: number;
  weightParameters: number;
  weightBytes: Record<string, number>;
  macs: number;
  /** True when symbolic dims were counted as 1: pass `--shape` for exact MACs. */
  macsApproximate: boolean;
  symbolicDims: string[];
  ops: Record<string, number>;
  heaviest: { name: string; op: string; macs: number; parameters: number; outputShape: Dim[] | null }[];
}

/** `edge inspect`: what is in a model, read without touching its weights. */
export const inspectCommand: Command = {
  name: 'inspect',
  usage: USAGE,
  run(args: string[], io: Io): number {
    const { values, positionals } = parse(args, {
      json: { type: 'boolean' },
      shape: { type: 'string', multiple: true },
      top: { type: 'string' },
    });
    if (positionals.length !== 1) throw new UsageError(`expected one model file, got ${positionals.length}`);
    const path = positionals[0]!;
    const top = values.top === undefined ? 10 : Number(values.top);
    if (!Number.isInteger(top) || top < 0)
      throw new UsageError(`--top expects a non-negative integer, got '${values.top}'`);
    const model = readModelFile(path);
    const report = inspect(
      model,
      path,
      parseShapes((values.shape as string[] | undefined) ?? [], model),
      top,
    );
    io.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : render(report));
    return 0;
  },
};

function parseShapes(specs: string[], model: OnnxModel): Record<string, Dim[]> {
  const out: Record<string, Dim[]> = {};
  const inits = new Set(model.graph.initializers.map((t) => t.name));
  const first = model.graph.inputs.find((i) => !inits.has(i.name))?.name;
  for (const spec of specs) {
    const eq = spec.lastIndexOf('=');
    const name = eq >= 0 ? spec.slice(0, eq) : first;
    const dims = (eq >= 0 ? spec.slice(eq + 1) : spec).split(/[x,]/);
    if (!name || !model.graph.inputs.some((i) => i.name === name)) {
      throw new UsageError(
        `--shape names input '${name ?? ''}', but the model's inputs are: ${model.graph.inputs.map((i) => i.name).join(', ')}`,
      );
    }
    if (dims.some((d) => !/^\d+$/.test(d))) {
      throw new UsageError(`--shape expects dims like 1x3x640x640, got '${spec}'`);
    }
    out[name] = dims.map(Number);
  }
  return out;
}

/** Builds the report of `edge inspect` for a model read from `path`. */
export function inspect(
  model: OnnxModel,
  path: string,
  inputShapes: Record<string, Dim[]>,
  top: number,
): InspectReport {
  const stats: ModelStats = modelStats(model, { inputShapes });
  const types = inferShapes(model, { inputShapes });
  const inits = new Set(model.graph.initializers.map((t) => t.name));
  const value = (v: ValueInfo): InspectValue => ({
    name: v.name,
    dtype: dtypeOf(v.type),
    shape: inputShapes[v.name] ?? types.get(v.name)?.shape ?? declaredShape(v.type),
  });
  return {
    file: path,
    fileBytes: statSync(path).size,
    irVersion: stats.irVersion,
    opsets: stats.opsetImports.map((o) => ({ domain: o.domain || 'ai.onnx', version: o.version })),
    producer: { name: stats.producerName, version: stats.producerVersion },
    inputs: model.graph.inputs.filter((i) => !inits.has(i.name)).map(value),
    outputs: model.graph.outputs.map(value),
    nodes: stats.nodeCount,
    parameters: stats.parameters,
    weightParameters: stats.weightParameters,
    weightBytes: stats.weightBytes,
    macs: stats.macs,
    macsApproximate: stats.macsApproximate,
    symbolicDims: stats.symbolicDims,
    ops: stats.opHistogram,
    heaviest: heaviestNodes(stats, top).map((n) => ({
      name: n.name,
      op: n.op,
      macs: n.macs,
      parameters: n.parameters,
      outputShape: types.get(n.node.outputs[0] ?? '')?.shape ?? null,
    })),
  };
}

function dtypeOf(t: TypeProto | undefined): string {
  if (!t) return '?';
  if (t.kind === 'tensor' || t.kind === 'sparseTensor') return dataTypeName(t.elemType);
  return t.kind;
}

function declaredShape(t: TypeProto | undefined): Dim[] | null {
  if (t?.kind !== 'tensor' || !t.shape) return null;
  return t.shape.map((d) => d.value ?? d.param ?? null);
}

function render(r: InspectReport): string {
  const lines: string[] = [];
  const io = (v: InspectValue) => [`  ${v.name}`, v.dtype, formatShape(v.shape)];
  lines.push(`${basename(r.file)}  ${formatBytes(r.fileBytes)}`);
  lines.push(
    `IR ${r.irVersion}  opset ${r.opsets.map((o) => `${o.domain} ${o.version}`).join(', ')}` +
      (r.producer.name ? `  producer ${r.producer.name} ${r.producer.version}`.trimEnd() : ''),
  );
  lines.push('', 'inputs', formatTable(r.inputs.map(io)), '', 'outputs', formatTable(r.outputs.map(io)), '');
  const bytes = Object.entries(r.weightBytes)
    .sort((a, b) => b[1] - a[1])
    .map(([t, b]) => `${t} ${formatBytes(b)}`)
    .join(', ');
  lines.push(
    formatTable([
      ['nodes', formatCount(r.nodes)],
      ['parameters', `${formatCount(r.parameters)} (weights ${formatCount(r.weightParameters)})`],
      ['weight bytes', bytes || '0'],
      [
        'MACs',
        formatCount(r.macs) +
          (r.macsApproximate
            ? `  (approximate: symbolic dims ${r.symbolicDims.join(', ') || '?'} counted as 1; pass --shape)`
            : ''),
      ],
    ]),
  );
  const ops = Object.entries(r.ops);
  lines.push('', `ops (${ops.length} kinds)`);
  const perLine = 6;
  for (let i = 0; i < ops.length; i += perLine) {
    lines.push(
      `  ${ops
        .slice(i, i + perLine)
        .map(([op, n]) => `${op} ${n}`)
        .join(', ')}`,
    );
  }
  if (r.heaviest.length) {
    lines.push('', `heaviest ${r.heaviest.length} layers`);
    lines.push(
      formatTable(
        [
          ['  #', 'name', 'op', 'MACs', 'params', 'output'],
          ...r.heaviest.map((h, i) => [
            `  ${i + 1}`,
            h.name,
            h.op,
            formatCount(h.macs),
            formatCount(h.parameters),
            formatShape(h.outputShape),
          ]),
        ],
        { right: [0, 3, 4] },
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}
