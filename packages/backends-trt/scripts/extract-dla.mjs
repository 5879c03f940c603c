#!/usr/bin/env node
// The DLA documents as data:
// - data/dla/nvinfer-<version>.json: every comment block of include/NvInfer.h (NVIDIA/TensorRT, the
//   release branch of each TensorRT a JetPack ships) that mentions DLA, with the class and member it
//   documents and its line;
// - data/dla/orin-operators.json: the "ONNX Operator/Function Support Matrix" of
//   NVIDIA/Deep-Learning-Accelerator-SW operators/README.md (Orin DLA, through TensorRT and DLA SW).
//
// usage: node scripts/extract-dla.mjs --trt-repo <NVIDIA/TensorRT git dir> --dla-repo <Deep-Learning-Accelerator-SW git dir>

import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** TensorRT releases of JetPack (4.6: 8.0, 4.6.1+: 8.2, 5.1: 8.5, 6.0: 8.6, 6.1/6.2: 10.3). */
export const NVINFER_RELEASES = ['8.0', '8.2', '8.5', '8.6', '10.3'];

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = join(HERE, '..', 'data', 'dla');

function git(dir, ...args) {
  return execFileSync('git', ['-C', dir, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Comment blocks of a header that mention DLA, with what they document. */
export function dlaComments(text) {
  const lines = text.split('\n');
  const out = [];
  let currentClass = '';
  for (let i = 0; i < lines.length; i++) {
    const cls = /^\s*class\s+(?:TRT_DEPRECATED\s+)?(I\w+)\b/.exec(lines[i]);
    if (cls && !lines[i].trim().endsWith(';')) currentClass = cls[1];
    if (!lines[i].trim().startsWith('//!')) continue;
    const start = i;
    while (i + 1 < lines.length && lines[i + 1].trim().startsWith('//!')) i++;
    const block = lines.slice(start, i + 1).map((l) => l.trim().replace(/^\/\/!\s?/, ''));
    const first = block.findIndex((l) => /\bDLA\b/.test(l));
    if (first < 0) continue;
    let j = i + 1;
    while (j < lines.length && !lines[j].trim()) j++;
    const owner = (lines[j] ?? '').trim();
    const ownerClass = /^class\s+(?:TRT_DEPRECATED\s+)?(I\w+)/.exec(owner)?.[1];
    const member = ownerClass ? '' : (/(\w+)\s*\(/.exec(owner)?.[1] ?? owner.replace(/[{;].*$/, '').trim());
    const kept = block.filter((l) => l && !/^\\(see|deprecated|param|return|brief)\b/.test(l));
    out.push({
      class: ownerClass ?? currentClass,
      member,
      text: kept.join(' ').replace(/\s+/g, ' ').trim(),
      line: start + first + 1,
    });
  }
  return out;
}

/** `Native`, `Native (as of TensorRT 8.6.12)`, `Reconstruction`, `[See RFE](...)`, `Can be inferred at build time`. */
function status(cell) {
  const since = /Native \(as of (?:TensorRT|DLA) ([\d.]+)\)/.exec(cell);
  if (since) return { status: 'native', since: since[1] };
  if (/^Native\b/.test(cell)) return { status: 'native' };
  if (/^Reconstruction/.test(cell)) return { status: 'reconstruction' };
  if (/RFE/.test(cell)) return { status: 'rfe' };
  if (/build time/i.test(cell)) return { status: 'build-time' };
  return { status: 'unknown' };
}

/** Rows of the Orin operator matrix. */
export function orinMatrix(text) {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^##\s+ONNX Operator\/Function Support Matrix/.test(l));
  if (start < 0) throw new Error('no "## ONNX Operator/Function Support Matrix" section');
  const rows = [];
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i];
    if (!l.startsWith('|')) {
      if (rows.length) break;
      continue;
    }
    const c = l
      .split('|')
      .slice(1)
      .map((s) => s.trim());
    if (/^Operator/.test(c[0]) || /^-+$/.test(c[0])) continue;
    const [op, trt = '', sw = '', restrictions = ''] = c;
    const layers = [...restrictions.matchAll(/\*\*([^*]+?)\*\*/g)].map((m) => m[1]);
    rows.push({
      op,
      tensorrt: { text: trt, ...status(trt) },
      dlaSw: { text: sw, ...status(sw) },
      restrictions: restrictions.replace(/\s+/g, ' ').trim(),
      ...(layers.length ? { layers } : {}),
      line: i + 1,
    });
  }
  return rows;
}

function write(name, data) {
  mkdirSync(OUT, { recursive: true });
  const path = join(OUT, name);
  const { rows, comments, ...head } = data;
  const list = rows ?? comments;
  const key = rows ? 'rows' : 'comments';
  const top = JSON.stringify(head, null, 2).replace(/\n}$/, '');
  writeFileSync(
    `${path}.tmp`,
    `${top},\n  "${key}": [\n${list.map((o) => `    ${JSON.stringify(o)}`).join(',\n')}\n  ]\n}\n`,
  );
  renameSync(`${path}.tmp`, path);
}

function main(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) args[argv[i].replace(/^--/, '')] = argv[i + 1];
  if (!args['trt-repo'] || !args['dla-repo']) throw new Error('--trt-repo and --dla-repo are required');
  for (const v of NVINFER_RELEASES) {
    const branch = `release/${v}`;
    const commit = git(args['trt-repo'], 'rev-parse', `${branch}^{commit}`).trim();
    const comments = dlaComments(git(args['trt-repo'], 'show', `${commit}:include/NvInfer.h`));
    write(`nvinfer-${v}.json`, {
      source: {
        repository: 'NVIDIA/TensorRT',
        branch,
        path: 'include/NvInfer.h',
        commit,
        url: `https://github.com/NVIDIA/TensorRT/blob/${commit}/include/NvInfer.h`,
      },
      tensorrt: v,
      comments,
    });
    console.log(`NvInfer.h ${v}: ${comments.length} DLA comments (${commit.slice(0, 10)})`);
  }
  const commit = git(args['dla-repo'], 'rev-parse', 'HEAD').trim();
  const readme = git(args['dla-repo'], 'show', `${commit}:operators/README.md`);
  const rows = orinMatrix(readme);
  const platforms = readme
    .split('\n')
    .map((l, i) => ({ l, line: i + 1 }))
    .filter(({ l }) => /^\| (Jetson|DRIVE) Orin/.test(l))
    .map(({ l, line }) => {
      const [platform, os, dla, trt] = l
        .split('|')
        .slice(1)
        .map((s) => s.trim());
      return { platform, os, dla, tensorrt: trt, line };
    });
  write('orin-operators.json', {
    source: {
      repository: 'NVIDIA/Deep-Learning-Accelerator-SW',
      path: 'operators/README.md',
      commit,
      url: `https://github.com/NVIDIA/Deep-Learning-Accelerator-SW/blob/${commit}/operators/README.md`,
    },
    platforms,
    rows,
  });
  console.log(`Orin matrix: ${rows.length} rows, ${platforms.length} platforms (${commit.slice(0, 10)})`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
