import { formatShape, formatTable, writeFileAtomic } from '@edge/core';
import { type Box, encodeNpy, PRESET_NAMES, type PresetName } from '@edge/preprocess';
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
import { readNamedFile } from '../read-file.js';
import { numberFlag } from './number-flag.js';
import { namesFor, outFolder } from './out-folder.js';

const USAGE = `usage: edge run <model> <image...> [options]

Runs a model on images with pre- and post-processing and prints the results; with --out, writes
each image with its results drawn on it (boxes, text polygons, face keypoints, landmarks, masks)
as PNG. Any model with one image input runs: when no task head fits its outputs, the raw outputs
are printed (shape, type, statistics) with why each head did not fit.

  --task T           ${TASK_NAMES.join(' | ')} (default: the first head that fits the
                     model's outputs, else raw)
  --backend B        backends to try, in order, comma-separated (default trt,onnxruntime,tflite)
  --preset NAME      preprocessing preset instead of the task's own (${PRESET_NAMES.join(', ')})
  --labels FILE      class names, one per line (classify, detect, segment)
  --top-k K          classes printed per image (classify; default 5)
  --threshold S      score threshold (detect, face: boxes; text: box score; segment: mask;
                     landmarks: presence)
  --json             print the results as JSON
  --out DIR          write <image>.<task>.png visualisations into DIR
  --save-outputs DIR write every output tensor as <image>.<output>.npy into DIR (the raw head;
                     implies --task raw)`;

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
    case 'landmarks': {
      const presence = r.presence === undefined ? '' : `, presence ${r.presence.toFixed(3)}`;
      summary = `landmarks: ${r.landmarks.length} points${presence}${r.present ? '' : ' (not present)'}`;
      rows.push(['#', 'x', 'y', 'z', 'visibility']);
      r.landmarks.forEach((p, i) => {
        const vis = p.visibility ?? p.score;
        rows.push([
          String(i),
          round(p.x),
          round(p.y),
          p.z === undefined ? '' : round(p.z),
          vis === undefined ? '' : vis.toFixed(3),
        ]);
      });
      break;
    }
    case 'raw': {
      summary = `raw: ${r.outputs.length} output${r.outputs.length === 1 ? '' : 's'}`;
      rows.push(['output', 'dtype', 'shape', 'min', 'max', 'mean', 'std']);
      const num = (v: number) => (Number.isNaN(v) ? '-' : v.toPrecision(4));
      for (const o of r.outputs) {
        rows.push([o.name, o.dtype, formatShape(o.shape), num(o.min), num(o.max), num(o.mean), num(o.std)]);
      }
      break;
    }
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
  const note = r.task === 'raw' && r.tried !== undefined ? `\n${noteOf(r.tried)}` : '';
  return `${head}  ${summary}${body}${note}`;
}

/** Why each head did not fit, one per line. */
function noteOf(tried: readonly { task: string; reason: string }[]): string {
  return [
    '  no task head fits this model (pass --task to choose one):',
    ...tried.map((t) => `    ${t.task}: ${t.reason}`),
  ].join('\n');
}

/** A result as JSON: masks without their pixels, raw outputs without their tensors. */
function plain(r: InferResult): unknown {
  if (r.task === 'segment') return { ...r, mask: { width: r.mask.width, height: r.mask.height } };
  if (r.task === 'raw') {
    const { tensors: _, ...rest } = r;
    return rest;
  }
  return r;
}

function config(task: TaskName | undefined, values: Record<string, unknown>): Record<string, unknown> {
  const cfg: Record<string, unknown> = {};
  const labelsFile = values.labels as string | undefined;
  if (labelsFile !== undefined) {
    const text = readNamedFile(labelsFile).toString('utf8');
    cfg.labels = text.split(/\r?\n/).filter((l, i, all) => l !== '' || i < all.length - 1);
  }
  const topK = numberFlag('--top-k', values['top-k'], true);
  if (topK !== undefined) cfg.topK = topK;
  const threshold = numberFlag('--threshold', values.threshold, false);
  if (threshold !== undefined) {
    const key =
      task === 'text'
        ? 'boxThreshold'
        : task === 'segment'
          ? 'threshold'
          : task === 'landmarks'
            ? 'presenceThreshold'
            : 'scoreThreshold';
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
      string: ['task', 'backend', 'preset', 'labels', 'top-k', 'threshold', 'out', 'save-outputs'],
      boolean: ['json'],
    });
    if (positionals.length < 2)
      throw new UsageError(`expected a model and at least one image, got ${positionals.length} argument(s)`);
    const [modelPath, ...images] = positionals as [string, ...string[]];
    const saveOutputs = values['save-outputs'] as string | undefined;
    let task = values.task as string | undefined;
    if (task !== undefined && !(TASK_NAMES as readonly string[]).includes(task)) {
      throw new UsageError(`--task expects one of ${TASK_NAMES.join(', ')}, got '${task}'`);
    }
    if (saveOutputs !== undefined) {
      if (task !== undefined && task !== 'raw') {
        throw new UsageError(
          `--save-outputs writes the raw outputs, so it goes with --task raw, not '${task}'`,
        );
      }
      task = 'raw';
    }
    const presetName = values.preset as string | undefined;
    if (presetName !== undefined && !(PRESET_NAMES as readonly string[]).includes(presetName)) {
      throw new UsageError(`--preset expects one of ${PRESET_NAMES.join(', ')}, got '${presetName}'`);
    }
    const backends = (values.backend as string | undefined)?.split(',').map((s) => s.trim());
    const cfg = config(task as TaskName | undefined, values);
    const out = values.out === undefined ? undefined : outFolder(values.out as string);
    const npyFolder = saveOutputs === undefined ? undefined : outFolder(saveOutputs);

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
        const drawable = results.filter((r) => (DRAWABLE_TASKS as readonly string[]).includes(r.task));
        const files = namesFor(
          out,
          drawable.map((r) => r.source),
          (i) => `.${drawable[i]!.task}.png`,
        );
        for (const [i, r] of drawable.entries()) {
          await writeResultImage(files[i]!, r.source, r as DrawableResult);
          written.push(files[i]!);
        }
      }
      if (npyFolder !== undefined) {
        const stems = namesFor(
          npyFolder,
          results.map((r) => r.source),
          () => '',
        );
        for (const [i, r] of results.entries()) {
          if (r.task !== 'raw') continue;
          for (const [name, tensor] of Object.entries(r.tensors)) {
            const file = `${stems[i]}.${name.replace(/[^A-Za-z0-9._-]/g, '_')}.npy`;
            writeFileAtomic(file, encodeNpy(tensor));
            written.push(file);
          }
        }
      }
      if (values.json) {
        io.stdout.write(
          `${JSON.stringify({ model: modelPath, backend: model.backend, device: model.device, results: results.map(plain), written }, null, 2)}\n`,
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
