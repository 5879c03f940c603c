import { basename } from 'node:path';
import { modelGraph, renderModelGraphHtml, withCheckReport } from '@edge/bench';
import {
  type CheckIssue,
  type CheckReport,
  checkModelFile,
  loadRuleTables,
  loadTargetAliases,
  type TargetReport,
  verdictExitCode,
} from '@edge/check';
import { formatTable, writeFileAtomic } from '@edge/core';
import { readModelFile } from '@edge/onnx-parse';
import { type Command, type Io, parse, UsageError } from '../command.js';
import { parseShapeFlags } from './shape-flags.js';

const DEFAULT_TARGETS = 'trt-8.6,dla-orin,myriad,ort-cpu';

const USAGE = `usage: edge check <model.onnx|model.tflite> [--target ids] [--shape name=1x3x640x640]... [--json] [--html FILE]

Tells, per target, whether the model deploys: fully, only with fallback to the GPU/CPU (with the
number of fallback layers and accelerator-to-fallback transitions), or not at all, and per node the
rule that failed and a suggested fix. Runs anywhere: the rules are data, no device is needed.

  --target ids     comma-separated target ids or aliases (default ${DEFAULT_TARGETS});
                   'edge check --list-targets' prints the known ones with their sources
  --shape n=DIMS   assume this shape for input n (a bare DIMS applies to the first input)
  --html FILE      also write the model as a graph in one self-contained HTML page: ops coloured
                   per target by verdict, each failed rule with its reason, fix and linked source
                   (ONNX models)
  --json           print the report as JSON, every finding with its source; its top-level
                   schemaVersion (now 1) goes up only when a field is removed, renamed or
                   changes meaning
  --list-targets   list the known targets and aliases with the document each follows, and exit
                   (--list is the same)

exit code: 0 every target deploys fully, 1 some only with fallback, 2 some cannot deploy`;

/** `onnx/onnx-tensorrt@8.6-GA docs/operators.md:146`, or the document and version. */
function cite(s: CheckIssue['source']): string {
  const where = s.repository && s.path ? `${s.repository} ${s.path}${s.row ? `:${s.row}` : ''}` : s.document;
  return `${where} (${s.version})${s.unverified ? ' [unverified]' : ''}`;
}

function renderIssue(i: CheckIssue): string[] {
  return [
    i.op === undefined ? '(graph)' : `#${i.op}`,
    i.node ? `${i.node} (${i.opType})` : '',
    i.level,
    `${i.rule}: ${i.reason}${i.fix ? ` -> fix: ${i.fix}` : ''}`,
    cite(i.source),
  ];
}

function renderTarget(t: TargetReport, maxIssues: number): string {
  const lines = [
    `${t.target}  ${t.name}: ${t.verdict.toUpperCase()}${t.unverified ? ' (UNVERIFIED)' : ''}  ${t.summary}`,
  ];
  if (t.fallback) {
    lines.push(
      `  on accelerator ${t.fallback.acceleratorLayers}, on ${t.fallback.device} ${t.fallback.layers}, transitions ${t.fallback.transitions} (${t.fallback.mode})`,
    );
  }
  const shown = t.issues.slice(0, maxIssues);
  if (shown.length) {
    lines.push(
      formatTable(shown.map(renderIssue))
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n'),
    );
  }
  if (t.issues.length > shown.length)
    lines.push(`  ... ${t.issues.length - shown.length} more (use --json for all)`);
  return lines.join('\n');
}

/** The text `edge check` prints for a report. */
export function renderCheck(report: CheckReport, maxIssues = 30): string {
  return `${report.model}: ${report.ops} ops\n\n${report.targets.map((t) => renderTarget(t, maxIssues)).join('\n\n')}\n`;
}

/** `edge check`: deployability per target, per node, with reasons and fixes. */
export const checkCommand: Command = {
  name: 'check',
  usage: USAGE,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parse(args, {
      string: ['target', 'html'],
      boolean: ['json', 'list', 'list-targets'],
      multiple: ['shape'],
    });
    if (values.list || values['list-targets']) {
      const tables = await loadRuleTables();
      const aliases = await loadTargetAliases();
      const source = (s: CheckIssue['source']) => `${cite(s)}${s.url ? ` ${s.url}` : ''}`;
      io.stdout.write(
        `${formatTable([
          ['target', 'kind', 'name', 'source'],
          ...tables.map((t) => [t.id, t.kind, t.name, source(t.source)]),
          ...aliases.map((a) => [a.id, 'alias', `${a.name} = ${a.targets.join(' + ')}`, source(a.source)]),
        ])}\n`,
      );
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError(`expected one model file, got ${positionals.length}`);
    const path = positionals[0]!;
    const targets = String(values.target ?? DEFAULT_TARGETS)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (targets.length === 0) throw new UsageError('--target needs at least one target id');
    if (values.html !== undefined && /\.tflite$/i.test(path))
      throw new UsageError(`--html draws ONNX graphs; ${path} is a TFLite model`);
    const shapes = parseShapeFlags((values.shape as string[] | undefined) ?? [], path);
    const report = await checkModelFile(path, targets, shapes ? { inputShapes: shapes } : {});
    io.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : renderCheck(report));
    if (values.html !== undefined) {
      const graph = modelGraph(
        readModelFile(path),
        `edge check: ${basename(path)}`,
        shapes ? { inputShapes: shapes } : {},
      );
      writeFileAtomic(values.html as string, renderModelGraphHtml(withCheckReport(graph, report)));
      io.stderr.write(`edge check: wrote ${values.html}\n`);
    }
    return verdictExitCode(report.verdict);
  },
};
