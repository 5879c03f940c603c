// The demo behind `npm run demo`: what the SDK is for, on one picture, in about a minute.
//   1. checks PaddleOCR's text detector against every target the checker knows;
//   2. reads the bundled poster (text and a face) and draws what it found;
//   3. calibrates the detector to INT8 on other images and sets FP32 and INT8 side by side:
//      speed, agreement of the text maps, and what the OCR reads with each;
//   4. writes annotated.png, report.html and report.json into the folder it names.
// Each step is one entry of STEPS; a step that writes another report into the folder (say the
// bench report) is one more entry, and report.html links it.
// Run: node examples/dist/demo.js [out-folder]

import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createBackend } from '@edge/backends-onnxruntime';
import {
  collectStatistics,
  compareModels,
  computeRanges,
  imageFeeds,
  listImages,
  quantizeQdq,
} from '@edge/calibrate';
import { checkModelFile, loadRuleTables } from '@edge/check';
import { writeFileAtomic } from '@edge/core';
import { readModelFile, writeModelFile } from '@edge/onnx-parse';
import { encodeImage, preprocess } from '@edge/preprocess';
import { drawOnCanvas, loadCanvas, loadModel, loadOcr, type OcrResult, ocr } from '@edge/runtime';
import { DATA, MEDIAPIPE, PADDLE_OCR, runIfMain } from './assets.js';
import { type DemoReport, renderDemoReport } from './demo-report.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
interface State {
  out: string;
  report: Partial<Mutable<DemoReport>>;
  fp32?: OcrResult;
}

const truth: { lines: { text: string; box: [number, number, number, number] }[] } = JSON.parse(
  readFileSync(DATA.posterTruth, 'utf8'),
);

function cpuFlags(): string {
  try {
    const flags = new Set(
      readFileSync('/proc/cpuinfo', 'utf8').match(/\b(avx2|avx512_vnni|amx_int8)\b/g) ?? [],
    );
    return [...flags].sort().join(' ') || 'none of avx2, avx512_vnni, amx_int8';
  } catch {
    return 'unknown';
  }
}

const overlap = (a: readonly number[], b: readonly number[]) => {
  const w = Math.max(0, Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!));
  const h = Math.max(0, Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!));
  return (w * h) / ((a[2]! - a[0]!) * (a[3]! - a[1]!) + (b[2]! - b[0]!) * (b[3]! - b[1]!) - w * h);
};

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** Character accuracy of the lines read against the poster's, each truth line matched by box overlap. */
function accuracy(page: OcrResult): number {
  let chars = 0;
  let edits = 0;
  for (const t of truth.lines) {
    const best = page.lines.reduce<{ text: string; v: number }>(
      (m, l) => (overlap(l.box, t.box) > m.v ? { text: l.text, v: overlap(l.box, t.box) } : m),
      { text: '', v: 0.3 },
    );
    chars += t.text.length;
    edits += distance(best.text, t.text);
  }
  return 1 - edits / chars;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** The steps, in order. */
const STEPS: { name: string; run: (s: State) => Promise<void> }[] = [
  {
    name: 'edge check: the text detector on every target',
    async run(s) {
      const targets = (await loadRuleTables()).map((t) => t.id);
      const r = await checkModelFile(PADDLE_OCR.det, targets, { inputShapes: { x: [1, 3, 640, 640] } });
      s.report.check = r.targets.map((t) => ({
        target: t.target,
        name: t.name,
        verdict: t.verdict,
        summary: t.summary,
      }));
      for (const t of r.targets) console.log(`  ${t.target.padEnd(14)} ${t.verdict.padEnd(12)} ${t.summary}`);
    },
  },
  {
    name: 'OCR and face detection on the poster, drawn',
    async run(s) {
      const models = await loadOcr(PADDLE_OCR);
      const face = await loadModel(MEDIAPIPE.face);
      try {
        const [page] = await ocr(models, DATA.poster);
        const [faces] = await face.infer(DATA.poster, { task: 'face' });
        s.fp32 = page!;
        s.report.ocr = {
          lines: page!.lines.map((l) => ({ text: l.text, confidence: l.confidence, box: l.box })),
          truthLines: truth.lines.length,
          accuracy: accuracy(page!),
          faces: faces!.faces.length,
        };
        for (const l of page!.lines) console.log(`  ${l.confidence.toFixed(2)}  ${l.text}`);
        const canvas = await loadCanvas(DATA.poster);
        drawOnCanvas(canvas, {
          task: 'text',
          boxes: page!.lines.map((l) => ({ polygon: l.polygon, box: l.box, score: l.detectionScore })),
        });
        drawOnCanvas(canvas, faces!);
        writeFileAtomic(join(s.out, 'annotated.png'), await encodeImage(canvas, 'png'));
      } finally {
        await models.dispose();
        await face.dispose();
      }
    },
  },
  {
    name: 'INT8: calibrate, quantize, FP32 and INT8 side by side',
    async run(s) {
      const cpu = cpuFlags();
      const fp32 = readModelFile(PADDLE_OCR.det);
      const calibration = listImages(DATA.calibration);
      const backend = createBackend();
      const stats = await collectStatistics(fp32, imageFeeds(calibration, 'paddleocr-det', 'x'), {
        backend,
        onProgress: (p) => process.stdout.write(`\r  calibration ${p.done}/${calibration.length}`),
      });
      process.stdout.write('\n');
      const method = 'percentile';
      // onnxruntime's fused INT8 kernels saturate on x86 CPUs without VNNI unless weights use 7 bits.
      const quantized = quantizeQdq(fp32, computeRanges(stats, method), {
        activationType: 'uint8',
        reduceRange: !cpu.includes('avx512_vnni'),
      });
      const int8Path = join(s.out, 'det.int8.onnx');
      writeModelFile(int8Path, quantized.model);
      const cmp = await compareModels(
        fp32,
        quantized.model,
        imageFeeds([DATA.poster], 'paddleocr-det', 'x'),
        {
          backend,
          kind: 'map',
          layers: 0,
        },
      );
      const map = cmp.outputs[0]!;
      // Speed: both models on the same tensor, runs interleaved, medians.
      const { tensor } = await preprocess(DATA.poster, 'paddleocr-det');
      const a = await loadModel(PADDLE_OCR.det, { backends: ['onnxruntime'] });
      const b = await loadModel(int8Path, { backends: ['onnxruntime'] });
      const ta: number[] = [];
      const tb: number[] = [];
      try {
        for (let k = 0; k < 10; k++) {
          for (const [m, times] of [
            [a, ta],
            [b, tb],
          ] as const) {
            const t0 = performance.now();
            await m.run({ x: tensor });
            if (k >= 2) times.push(performance.now() - t0);
          }
        }
      } finally {
        await a.dispose();
        await b.dispose();
      }
      const models = await loadOcr({ ...PADDLE_OCR, det: int8Path });
      let page: OcrResult;
      try {
        [page] = (await ocr(models, DATA.poster)) as [OcrResult];
      } finally {
        await models.dispose();
      }
      const same = s.fp32!.lines.filter((l) =>
        page.lines.some((m) => m.text === l.text && overlap(m.box, l.box) > 0.5),
      ).length;
      s.report.int8 = {
        method,
        calibrationImages: calibration.length,
        quantizedNodes: quantized.quantized.length,
        keptNodes: quantized.kept.length,
        fp32Ms: median(ta),
        int8Ms: median(tb),
        speedup: median(ta) / median(tb),
        mapIou: map.iou ?? Number.NaN,
        cosine: map.cosine,
        ocrAccuracy: { fp32: s.report.ocr!.accuracy, int8: accuracy(page) },
        sameLines: same,
      };
      const i = s.report.int8;
      console.log(
        `  latency FP32 ${i.fp32Ms.toFixed(1)} ms, INT8 ${i.int8Ms.toFixed(1)} ms (${i.speedup.toFixed(2)}x; CPU: ${cpu})`,
      );
      console.log(
        `  text map IoU ${i.mapIou.toFixed(3)}, cosine ${i.cosine.toFixed(4)}; OCR lines read the same: ${same} of ${s.fp32!.lines.length}`,
      );
    },
  },
];

/** Runs every step and writes the report; returns what it measured. */
export async function main(args: string[] = []): Promise<DemoReport> {
  const [folder = 'demo-output'] = args;
  const out = resolve(folder);
  mkdirSync(out, { recursive: true });
  const state: State = { out, report: { cpu: cpuFlags(), steps: [] } };
  const steps: { name: string; seconds: number }[] = [];
  for (const step of STEPS) {
    console.log(`› ${step.name}`);
    const t0 = performance.now();
    await step.run(state);
    steps.push({ name: step.name, seconds: (performance.now() - t0) / 1000 });
  }
  const report = {
    ...state.report,
    steps,
    files: ['annotated.png', 'det.int8.onnx', 'report.html', 'report.json'],
  } as DemoReport;
  const others = readdirSync(out).filter((f) => f.endsWith('.html') && f !== 'report.html');
  writeFileAtomic(join(out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileAtomic(join(out, 'report.html'), renderDemoReport(report, 'annotated.png', others));
  console.log(`› wrote ${join(out, 'report.html')} and annotated.png, report.json, det.int8.onnx beside it`);
  return report;
}
runIfMain(import.meta.url, main);
