import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { modelGraph, renderModelGraphHtml } from '@edge/bench';
import { formatShape, formatTable, writeFileAtomic } from '@edge/core';
import {
  type Dim,
  type ModelSummary,
  readModelFile,
  type SummaryValue,
  summarizeModel,
} from '@edge/onnx-parse';
import { type Command, type Io, parse, UsageError } from '../command.js';
import { formatBytes, formatCount } from '../format.js';
import { parseShapeFlags, SHAPE_FLAG_USAGE } from './shape-flags.js';

const USAGE = `usage: edge inspect <model.onnx> [--json] [--shape name=1x3x640x640]... [--top N] [--html FILE]

Prints the inputs and outputs (shapes and dtypes), opset and IR version, parameters, MACs, the op
histogram and the heaviest layers. Only the model's structure is read; weights stay on disk.

  --json           print the same as one JSON object
  ${SHAPE_FLAG_USAGE}
                   (fixes symbolic dims, so MACs are exact)
  --top N          how many heaviest layers to list (default 10)
  --html FILE      also write the model as a graph in one self-contained HTML page: every op a
                   box with its MACs and parameters`;

/** The JSON that `edge inspect --json` prints: the file, then the model's summary. */
export type InspectReport = { file: string; fileBytes: number } & ModelSummary;

/** `edge inspect`: what is in a model, read without touching its weights. */
export const inspectCommand: Command = {
  name: 'inspect',
  usage: USAGE,
  run(args: string[], io: Io): number {
    const { values, positionals } = parse(args, {
      string: ['top', 'html'],
      boolean: ['json'],
      multiple: ['shape'],
    });
    if (positionals.length !== 1) throw new UsageError(`expected one model file, got ${positionals.length}`);
    const path = positionals[0]!;
    const top = values.top === undefined ? 10 : Number(values.top);
    if (!Number.isInteger(top) || top < 0)
      throw new UsageError(`--top expects a non-negative integer, got '${values.top}'`);
    const model = readModelFile(path);
    const inputShapes = parseShapeFlags((values.shape as string[] | undefined) ?? [], model);
    const report: InspectReport = {
      file: path,
      fileBytes: statSync(path).size,
      ...summarizeModel(model, { top, ...(inputShapes ? { inputShapes } : {}) }),
    };
    io.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : render(report));
    if (values.html !== undefined) {
      const graph = modelGraph(model, `edge inspect: ${basename(path)}`, inputShapes ? { inputShapes } : {});
      writeFileAtomic(values.html as string, renderModelGraphHtml(graph));
      io.stderr.write(`edge inspect: wrote ${values.html}\n`);
    }
    return 0;
  },
};

const shapeText = (shape: readonly Dim[] | null): string => (shape ? formatShape(shape) : '?');

function render(r: InspectReport): string {
  const lines: string[] = [];
  const io = (v: SummaryValue) => [`  ${v.name}`, v.dtype, shapeText(v.shape)];
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
            shapeText(h.outputShape),
          ]),
        ],
        { right: [0, 3, 4] },
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}
