import { mkdirSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { FileIOError, formatTable } from '@edge/core';
import { type Box, PRESET_NAMES, type PresetName } from '@edge/preprocess';
import {
  DRAWABLE_TASKS,
  type DrawableResult,
  type InferOptions,
  type InferResult,
  loadModel,
  TASK_NAMES,
  type TaskName,
  writeResultImage,
} from '@edge/runtime';
import { type Command, type Io, parse, UsageError } from '../command.js';

const USAGE = `usage: edge run <model> <image...> [options]

Runs a model on images with pre- and post-processing and prints the results; with --out, writes
each image with its results drawn on it (boxes, text polygons, face keypoints, masks) as PNG.

  --task T           ${TASK_NAMES.join(' | ')} (default: guessed from the model's outputs)
  --backend B        backends to try, in order, comma-separated (default trt,onnxruntime,tflite)
  --preset NAME      preprocessing preset instead of the task's own (${PRESET_NAMES.join(', ')})
  --labels FILE      class names, one per line (classify, detect, segment)
  --top-k K          classes printed per image (classify; default 5)
  --threshold S      score threshold (detect, face: boxes; text: box score; segment: mask)
  --json             print the results as JSON
  --out DIR          write <image>.<task>.png visualisations into DIR`;

const round = (v: number) => String(Math.round(v * 10) / 10);
const boxText = (b: Box) => b.map(round).join(',');

function describe(r: InferResult): string {
  const head = `${r.source}  ${r.width}x${r.height}`;
  const rows: string[][] = [];
  let summary: string;
  switch (r.task) {
    case 'classify':
      summary = 'classify';
      rows.push(['#', 'class', 'score']);
      r.classes.forEach((c, i) => {
        rows.push([String(i + 1), c.label ?? String(c.classId), c.score.toFixed(4)]);
      });
      break;
    case 'detect':
      summary = `detect: ${r.detections.length} object${r.detections.length === 1 ? '' : 's'}`;
      rows.push(['#', 'class', 'score', 'box x1,y1,x2,y2']);
      r.detections.forEach((d, i) => {
        rows.push([String(i + 1), d.label ?? String(d.classId), d.score.toFixed(3), boxText(d.box)]);
      });
      break;
    case 'text':
      summary = `text: ${r.boxes.length} region${r.boxes.length === 1 ? '' : 's'}`;
      rows.push(['#', 'score', 'box x1,y1,x2,y2', 'polygon']);
      r.boxes.forEach((t, i) => {
        rows.push([
          String(i + 1),
          t.score.toFixed(3),
          boxText(t.box),
          t.polygon.map((p) => `${round(p.x)},${round(p.y)}`).join(' '),
        ]);
      });
      break;
    case 'face':
      summary = `face: ${r.faces.length} face${r.faces.length === 1 ? '' : 's'}`;
      rows.push(['#', 'score', 'box x1,y1,x2,y2']);
      r.faces.forEach((f, i) => {
        rows.push([String(i + 1), f.score.toFixed(3), boxText(f.box)]);
      });
      break;
    case 'segment': {
      summary = `segment: ${r.classes.length} class${r.classes.length === 1 ? '' : 'es'}`;
      rows.push(['class', 'pixels', 'share']);
      const total = r.width * r.height;
      for (const c of r.classes) {
        rows.push([
          c.label ?? String(c.classId),
          String(c.pixels),
          `${((100 * c.pixels) / total).toFixed(1)}%`,
        ]);
      }
      break;
    }
  }
  const body = rows.length > 1 ? `\n${formatTable(rows, { indent: '  ' })}` : '';
  return `${head}  ${summary}${body}`;
}

function config(task: TaskName | undefined, values: Record<string, unknown>): Record<string, unknown> {
  const cfg: Record<string, unknown> = {};
  const labelsFile = values.labels as string | undefined;
  if (labelsFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(labelsFile, 'utf8');
    } catch (e) {
      throw new FileIOError(
        `${labelsFile}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
        labelsFile,
        {
          cause: e,
        },
      );
    }
    cfg.labels = text.split(/\r?\n/).filter((l, i, all) => l !== '' || i < all.length - 1);
  }
  const num = (flag: string, text: string | undefined, integer: boolean): number | undefined => {
    if (text === undefined) return undefined;
    const v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v) || (integer && (!Number.isInteger(v) || v < 1))) {
      throw new UsageError(`${flag} expects ${integer ? 'a positive integer' : 'a number'}, got '${text}'`);
    }
    return v;
  };
  const topK = num('--top-k', values['top-k'] as string | undefined, true);
  if (topK !== undefined) cfg.topK = topK;
  const threshold = num('--threshold', values.threshold as string | undefined, false);
  if (threshold !== undefined) {
    const key = task === 'text' ? 'boxThreshold' : task === 'segment' ? 'threshold' : 'scoreThreshold';
    cfg[key] = threshold;
  }
  return cfg;
}

/** `edge run`: a model on images, results printed and drawn. */
export const runCommand: Command = {
  name: 'run',
  usage: USAGE,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parse(args, {
      task: { type: 'string' },
      backend: { type: 'string' },
      preset: { type: 'string' },
      labels: { type: 'string' },
      'top-k': { type: 'string' },
      threshold: { type: 'string' },
      json: { type: 'boolean' },
      out: { type: 'string' },
    });
    if (positionals.length < 2)
      throw new UsageError(`expected a model and at least one image, got ${positionals.length} argument(s)`);
    const [modelPath, ...images] = positionals as [string, ...string[]];
    const task = values.task as string | undefined;
    if (task !== undefined && !(TASK_NAMES as readonly string[]).includes(task)) {
      throw new UsageError(`--task expects one of ${TASK_NAMES.join(', ')}, got '${task}'`);
    }
    const presetName = values.preset as string | undefined;
    if (presetName !== undefined && !(PRESET_NAMES as readonly string[]).includes(presetName)) {
      throw new UsageError(`--preset expects one of ${PRESET_NAMES.join(', ')}, got '${presetName}'`);
    }
    const backends = (values.backend as string | undefined)?.split(',').map((s) => s.trim());
    const cfg = config(task as TaskName | undefined, values);
    const out = values.out as string | undefined;
    if (out !== undefined) {
      try {
        mkdirSync(out, { recursive: true });
      } catch (e) {
        throw new FileIOError(
          `${out}: cannot create the output folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
          out,
          {
            cause: e,
          },
        );
      }
    }

    const model = await loadModel(modelPath, backends === undefined ? {} : { backends: backends as never });
    try {
      const options: InferOptions = {
        ...(task === undefined ? {} : { task: task as TaskName }),
        ...(presetName === undefined ? {} : { preprocess: presetName as PresetName }),
        config: cfg as InferOptions['config'],
      };
      const results = await model.infer(images, options);
      const written: string[] = [];
      if (out !== undefined) {
        const used = new Set<string>();
        for (const r of results) {
          if (!(DRAWABLE_TASKS as readonly string[]).includes(r.task)) continue;
          let name = `${basename(r.source, extname(r.source))}.${r.task}.png`;
          for (let i = 2; used.has(name); i++)
            name = `${basename(r.source, extname(r.source))}-${i}.${r.task}.png`;
          used.add(name);
          const file = join(out, name);
          await writeResultImage(file, r.source, r as DrawableResult);
          written.push(file);
        }
      }
      if (values.json) {
        const plain = results.map((r) =>
          r.task === 'segment' ? { ...r, mask: { width: r.mask.width, height: r.mask.height } } : r,
        );
        io.stdout.write(
          `${JSON.stringify({ model: modelPath, backend: model.backend, device: model.device, results: plain, written }, null, 2)}\n`,
        );
      } else {
        io.stdout.write(`${modelPath}: ${model.backend} on ${model.device}\n`);
        for (const r of results) io.stdout.write(`${describe(r)}\n`);
        for (const f of written) io.stdout.write(`wrote ${f}\n`);
      }
      return 0;
    } finally {
      await model.dispose();
    }
  },
};
