// The image pipeline of one single-stream query, stage by stage, the way `model.infer` runs it:
// decode (file bytes to pixels, sharp), preprocess (pixels to the input tensor, @edge/preprocess),
// inference (`model.run`), postprocess (the task head's decode to results on the original image).

import { ArgumentError, type TensorMap } from '@edge/core';
import {
  encodeImage,
  loadImage,
  type PreprocessSpec,
  type PresetName,
  preprocess,
  preset,
  type RawImage,
} from '@edge/preprocess';
import { type InputSpec, type Model, specForInput, TASK_HEADS, type TaskName } from '@edge/runtime';

/** Stages of a pipeline query, in order. */
export const STAGES = ['decode', 'preprocess', 'inference', 'postprocess'] as const;

/** One stage of {@link STAGES}. */
export type Stage = (typeof STAGES)[number];

/** Milliseconds of each stage of one query; postprocess absent without a task. */
export type StageTimes = Partial<Record<Stage, number>>;

/** What a pipeline query needs besides the model. */
export interface PipelineSetup {
  /** The encoded image (JPEG/PNG/WebP bytes). */
  readonly image: Uint8Array;
  /** How reports name it: a path, or `synthetic 1280x720 JPEG`. */
  readonly imageLabel: string;
  readonly inputName: string;
  readonly spec: PreprocessSpec;
  readonly task: TaskName | undefined;
}

/**
 * The pipeline for a model with one 4-D image input whose height and width are `size`: the task
 * head's preprocessing (or `presetName`'s) at that size.
 *
 * @throws {@link ArgumentError} when the model does not have exactly one 4-D input.
 */
export function pipelineSetup(
  model: Pick<Model, 'inputSpecs' | 'source'>,
  size: { width: number; height: number },
  image: { bytes: Uint8Array; label: string },
  task: TaskName | undefined,
  presetName: PresetName | undefined,
): PipelineSetup {
  const inputs = model.inputSpecs;
  if (inputs.length !== 1 || inputs[0]!.shape.length !== 4)
    throw new ArgumentError(
      `${model.source}: the image pipeline needs one 4-D image input, this model has ${inputs.length} input(s)`,
    );
  const input: InputSpec = inputs[0]!;
  const user: PreprocessSpec = presetName === undefined ? { size } : preset(presetName, { size });
  const recipe = presetName === undefined && task !== undefined ? TASK_HEADS[task].preprocess : undefined;
  const spec = specForInput(input, recipe, user);
  delete spec.dynamicSize;
  return { image: image.bytes, imageLabel: image.label, inputName: input.name, spec, task };
}

/** Times the four stages of one query. */
export async function pipelineQuery(model: Model, setup: PipelineSetup): Promise<StageTimes> {
  const t0 = performance.now();
  const source = await loadImage(setup.image, setup.imageLabel);
  const t1 = performance.now();
  const raw: RawImage = {
    data: source.data,
    width: source.width,
    height: source.height,
    order: source.order,
    stride: source.stride,
  };
  const { tensor, images } = await preprocess(raw, setup.spec);
  const t2 = performance.now();
  const outputs: TensorMap = await model.run({ [setup.inputName]: tensor });
  const t3 = performance.now();
  const times: StageTimes = { decode: t1 - t0, preprocess: t2 - t1, inference: t3 - t2 };
  if (setup.task !== undefined) {
    const head = TASK_HEADS[setup.task];
    const nchw = (setup.spec.layout ?? 'nchw') === 'nchw';
    const tensorSize = { width: tensor.shape[nchw ? 3 : 2]!, height: tensor.shape[nchw ? 2 : 1]! };
    (head.decode as (o: TensorMap, c: unknown, k: unknown) => unknown)(
      outputs,
      { image: images[0]!, index: 0, tensorSize },
      head.defaults,
    );
    times.postprocess = performance.now() - t3;
  }
  return times;
}

/**
 * A deterministic 1280x720 JPEG that looks like a page over a photo: a colour gradient with rows
 * of dark bars (text lines), so decoding, resizing and a text head all have realistic work.
 */
export async function syntheticImage(): Promise<{ bytes: Uint8Array; label: string }> {
  const width = 1280;
  const height = 720;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const line = Math.floor(y / 40);
    const inBar = y % 40 >= 12 && y % 40 < 28 && line % 3 !== 2;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      const bar = inBar && x > 80 + ((line * 97) % 200) && x < width - 80 - ((line * 53) % 300);
      const word = Math.floor(x / 24) % 5 !== 4;
      if (bar && word) data.fill(20, o, o + 3);
      else {
        data[o] = (x * 255) / width;
        data[o + 1] = (y * 255) / height;
        data[o + 2] = 160 + ((x ^ y) & 63);
      }
    }
  }
  const bytes = await encodeImage({ data, width, height, order: 'rgb', stride: width * 3 }, 'jpeg', 90);
  return { bytes, label: `synthetic ${width}x${height} JPEG` };
}
