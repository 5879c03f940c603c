#!/usr/bin/env node
// Turns docs/operators.md of each onnx-tensorrt release into data/onnx-tensorrt/<version>.json: one
// row per operator with its Y/N, data types, restriction text and line number, under a header that
// names the repository, branch, path, commit and the opset range the document states.
//
// usage: node scripts/extract-operators.mjs --repo <onnx-tensorrt git dir> [--trt-repo <TensorRT git dir>]
//          [--text <version>=<file>]... [--only <version>]...
//
// --repo       a clone of github.com/onnx/onnx-tensorrt (any clone with the release branches; a full
//              clone from GitHub also has every pinned commit below)
// --trt-repo   a clone of github.com/NVIDIA/TensorRT: for the releases whose parser is pinned there as
//              the parsers/onnx submodule, the pin is checked against the commit listed here
// --text       the document of a version read elsewhere (when --repo lacks its commit): the file
//              must hold `git show <commit>:<path>` of the listed commit (the files used for the
//              committed data were checked against the stored copies by length and line count)
//
// Nothing here interprets a restriction: the rule tables (src/rules/tensorrt-*.ts) do that, citing
// the row's line.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Every TensorRT release whose operator document can be had. `ref` is the onnx-tensorrt branch;
 * releases from 10.2 on are pinned by NVIDIA/TensorRT's release branch (`pin`) at `commit`.
 */
export const RELEASES = [
  { version: '7.0', ref: '7.0', path: 'operators.md' },
  { version: '7.1', ref: '7.1', path: 'operators.md' },
  { version: '7.2', ref: '7.2.1', path: 'docs/operators.md' },
  { version: '8.0', ref: '8.0-GA', path: 'docs/operators.md' },
  { version: '8.2', ref: '8.2-GA', path: 'docs/operators.md' },
  { version: '8.4', ref: '8.4-GA', path: 'docs/operators.md' },
  { version: '8.5', ref: '8.5-GA', path: 'docs/operators.md' },
  { version: '8.6', ref: '8.6-GA', path: 'docs/operators.md' },
  { version: '9.0', ref: '9.0-GA', path: 'docs/operators.md' },
  { version: '9.1', ref: '9.1', path: 'docs/operators.md' },
  { version: '9.2', ref: '9.2', path: 'docs/operators.md' },
  { version: '9.3', ref: '9.3', path: 'docs/operators.md' },
  { version: '10.0', ref: '10.0-GA', path: 'docs/operators.md' },
  { version: '10.1', ref: '10.1-GA', path: 'docs/operators.md' },
  {
    version: '10.14',
    pin: 'release/10.14',
    commit: 'c72727708d4ed8a379c04c4ea235c157ce9c3870',
    path: 'docs/operators.md',
  },
  {
    version: '10.15',
    pin: 'release/10.15',
    commit: 'fa5aa9f61e7781d2ca8f5351d42c1f19525a6124',
    path: 'docs/operators.md',
  },
  {
    version: '10.16',
    pin: 'release/10.16',
    commit: '6bde6596eca84abf9afe9b4d21c18c32800fd3ad',
    path: 'docs/operators.md',
  },
  {
    version: '11.1',
    pin: 'release/11.1',
    commit: '7c51a63a719180eb5160c874c111746f3fb46a6b',
    path: 'docs/operators.md',
  },
];

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = join(HERE, '..', 'data', 'onnx-tensorrt');

function git(dir, ...args) {
  return execFileSync('git', ['-C', dir, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** `up to Opset 13` (7.x-9.x) or `inclusive range of opset 9 to opset 20` (10.x on). */
export function parseOpsetLine(lines) {
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    const range =
      /TensorRT\s+([\d.]+)\s+supports operators in the inclusive range of opset\s+(\d+)\s+to opset\s+(\d+)/i.exec(
        l,
      );
    if (range)
      return {
        stated: range[1],
        min: Number(range[2]),
        max: Number(range[3]),
        line: i + 1,
        text: l.split('. Latest')[0],
      };
    const upTo = /TensorRT\s+([\d.]+)\s+supports operators up to Opset\s+(\d+)/i.exec(l);
    if (upTo)
      return { stated: upTo[1], min: null, max: Number(upTo[2]), line: i + 1, text: l.split('. Latest')[0] };
  }
  throw new Error('no opset statement ("supports operators ...") in the document');
}

const TYPE_TOKEN = /^(FP32|FP16|BF16|FP8|FP4|INT4|INT8|INT32|INT64|UINT8|BOOL|DOUBLE)$/;

function cells(line) {
  const parts = line.split('|').map((s) => s.trim());
  // A row starts with '|'; the last cell may be missing its closing '|'.
  parts.shift();
  if (parts.length && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** The rows of the "Operator Support Matrix" table, each with its 1-based line number. */
export function parseMatrix(lines) {
  const start = lines.findIndex((l) => /^##\s+Operator Support Matrix/.test(l));
  if (start < 0) throw new Error('no "## Operator Support Matrix" section');
  let header;
  const rows = [];
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i];
    if (!l.startsWith('|')) {
      if (header && rows.length) break;
      continue;
    }
    const c = cells(l);
    if (!header) {
      header = c.map((h) => h.toLowerCase());
      continue;
    }
    if (/^-+$/.test(c[0] ?? '')) continue;
    const typed = header.includes('supported types');
    let [op = '', yn = '', third = '', fourth = ''] = c;
    let repaired;
    // 7.0 has `| ConcatFromSequence N  |`: the flag inside the operator cell.
    const joined = /^(\w+)\s+([YN])$/.exec(op);
    if (!yn && joined) {
      [, op, yn] = joined;
      repaired = `the source row reads '${l.trim()}'`;
    }
    const flag = yn.trim();
    if (!/^[YN]\b/.test(flag)) throw new Error(`line ${i + 1}: unreadable Supported cell '${flag}'`);
    let types = [];
    let restrictions = typed ? fourth : third;
    if (typed) {
      // Commas are sometimes missing (`INT64 BOOL`) and one release writes INF64 for INT64.
      const raw = third.split(/[\s,]+/).filter(Boolean);
      const tokens = raw.map((t) => (t === 'INF64' ? 'INT64' : t));
      if (tokens.length && tokens.every((t) => TYPE_TOKEN.test(t))) {
        types = tokens;
        if (raw.includes('INF64')) repaired = `the types cell reads '${third}'`;
      }
      // An N row may put its explanation in the types column.
      else restrictions = [third, fourth].filter(Boolean).join(' ');
    }
    // Rows with more cells than the header (a '|' inside the text) keep the rest as text.
    const extra = c.slice(typed ? 4 : 3).filter(Boolean);
    if (extra.length) restrictions = [restrictions, ...extra].filter(Boolean).join(' | ');
    rows.push({
      op,
      supported: flag.startsWith('Y'),
      ...(/EXPERIMENTAL/i.test(flag) ? { experimental: true } : {}),
      ...(typed ? { types } : {}),
      restrictions: restrictions.replace(/\s+/g, ' ').trim(),
      line: i + 1,
      ...(repaired ? { repaired } : {}),
    });
  }
  if (!rows.length) throw new Error('the support matrix has no rows');
  return rows;
}

/** The document as data, with its provenance. */
export function extract(text, release, commit) {
  const lines = text.split('\n');
  const opset = parseOpsetLine(lines);
  const typesLine = lines.findIndex((l) => /supports the following ONNX data types/.test(l));
  const matrix = lines.findIndex((l) => /^##\s+Operator Support Matrix/.test(l));
  // The notes between the opening statements and the matrix: casts of INT64/DOUBLE, quantized types.
  const notes = [];
  for (let i = 0; i < matrix; i++) {
    if (/^(>\s*Note|\\?\*)/.test(lines[i].trim())) notes.push({ text: lines[i].trim(), line: i + 1 });
  }
  return {
    source: {
      repository: 'onnx/onnx-tensorrt',
      ...(release.ref
        ? { branch: release.ref }
        : { pinnedBy: `NVIDIA/TensorRT ${release.pin}:parsers/onnx` }),
      path: release.path,
      commit,
      url: `https://github.com/onnx/onnx-tensorrt/blob/${commit}/${release.path}`,
    },
    tensorrt: release.version,
    opset,
    ...(typesLine >= 0 ? { dataTypes: { text: lines[typesLine].trim(), line: typesLine + 1 } } : {}),
    notes,
    operators: parseMatrix(lines),
  };
}

/** Pretty header, one operator row a line: reviewable diffs between releases. */
export function formatData(data) {
  const { operators, ...head } = data;
  const top = JSON.stringify(head, null, 2).replace(/\n}$/, '');
  return `${top},\n  "operators": [\n${operators.map((o) => `    ${JSON.stringify(o)}`).join(',\n')}\n  ]\n}\n`;
}

function main(argv) {
  const args = { texts: new Map(), only: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[++i];
    if (v === undefined) throw new Error(`${a} needs a value`);
    if (a === '--repo') args.repo = v;
    else if (a === '--trt-repo') args.trtRepo = v;
    else if (a === '--text') {
      const [version, file] = v.split('=');
      args.texts.set(version, file);
    } else if (a === '--only') args.only.push(v);
    else throw new Error(`unknown argument ${a}`);
  }
  if (!args.repo) throw new Error('--repo <onnx-tensorrt git dir> is required');
  mkdirSync(OUT, { recursive: true });
  for (const r of RELEASES) {
    if (args.only.length && !args.only.includes(r.version)) continue;
    if (r.pin && args.trtRepo) {
      const pinned = git(args.trtRepo, 'rev-parse', `${r.pin}:parsers/onnx`).trim();
      if (pinned !== r.commit) throw new Error(`${r.pin} pins parsers/onnx at ${pinned}, not ${r.commit}`);
    }
    let commit;
    let text;
    try {
      commit = r.commit ?? git(args.repo, 'rev-parse', `${r.ref}^{commit}`).trim();
      text = git(args.repo, 'show', `${commit}:${r.path}`);
    } catch {
      const file = args.texts.get(r.version);
      if (!file) {
        console.error(
          `skip ${r.version}: ${r.commit ?? r.ref} is not in ${args.repo} and no --text was given`,
        );
        continue;
      }
      commit = r.commit;
      text = readFileSync(file, 'utf8');
    }
    const data = extract(text, r, commit);
    const path = join(OUT, `${r.version}.json`);
    writeFileSync(`${path}.tmp`, formatData(data));
    renameSync(`${path}.tmp`, path);
    console.log(
      `${r.version}: ${data.operators.length} rows, opset ${data.opset.min ?? '?'}-${data.opset.max} (${commit.slice(0, 10)})`,
    );
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
