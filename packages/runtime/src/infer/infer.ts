// model.infer: images in, task results on the original images out. Each image is preprocessed and
// submitted on its own, so images of different sizes (PaddleOCR's dynamic size) just work and the
// model's queue stacks them into batches when batching is on.

import { ArgumentError, checkOneOf, invalidArgument, type TensorInfo, type TensorMap } from '@edge/core';
import {
  type ImageInput,
  type KernelChoice,
  type PreprocessSpec,
  type PresetName,
  preprocess,
} from '@edge/preprocess';
import type { ModelOutline, TaskName } from '../heads/head.js';
import type { HeadTried } from '../heads/raw.js';
import type { InputSpec } from '../load/input-spec.js';
import type { RunOptions } from '../load/model.js';
import { specForInput } from './spec.js';
import { GUESS_ORDER, TASK_HEADS, TASK_NAMES, type TaskConfigs, type TaskResults } from './tasks.js';

/** Options of `model.infer`. */
export interface InferOptions<T extends TaskName = TaskName> {
  /**
   * The task head. Default: the first head, in {@link GUESS_ORDER}, whose `fits` accepts the
   * model's outputs (face, landmarks, text, detect, segment, classify), else `raw`, whose result
   * then lists every head tried and why it did not fit.
   */
  readonly task?: T;
  /** Head settings over the head's defaults, e.g. `{ topK: 3, labels }` for classify. */
  readonly config?: Partial<TaskConfigs[T]>;
  /**
   * Preprocessing: a preset replaces the head's recipe, an object is merged over it; what the
   * model's input fixes (size, layout, channels) still applies unless the object sets it.
   */
  readonly preprocess?: PreprocessSpec | PresetName;
  /** Which preprocessing kernel runs. Default `auto`. */
  readonly kernel?: KernelChoice;
  /** Largest accepted image in pixels. Default 100 megapixels. */
  readonly maxPixels?: number;
  /** Cancels the inference requests. */
  readonly signal?: AbortSignal;
  /** Per-request timeout in ms. */
  readonly timeoutMs?: number;
}

/** The result of one image: the head's result plus where it came from. */
export type InferResult<T extends TaskName = TaskName> = TaskResults[T] & {
  /** The input's path, or `images[i]`. */
  readonly source: string;
  /** Size of the original image. */
  readonly width: number;
  readonly height: number;
};

/** @internal What `inferImages` needs of a model. */
export interface InferTarget extends ModelOutline {
  readonly source: string;
  readonly inputSpecs: readonly InputSpec[];
  readonly outputs: readonly TensorInfo[];
  run(feeds: Readonly<TensorMap>, options?: RunOptions): Promise<TensorMap>;
}

interface TaskChoice {
  readonly task: TaskName;
  /** Settings the model's layout implies (which output is which, the anchor grid). */
  readonly implied: object;
  /** When the task was guessed as raw: every head tried and why it did not fit. */
  readonly tried?: readonly HeadTried[];
}

/** The given task (with what its `fits` reads from the model, when it fits), or the first that fits. */
function chooseTask(model: ModelOutline, given: TaskName | undefined): TaskChoice {
  if (given !== undefined) {
    const f = TASK_HEADS[given].fits(model);
    return { task: given, implied: f.ok ? (f.config ?? {}) : {} };
  }
  const tried: HeadTried[] = [];
  for (const task of GUESS_ORDER) {
    const f = TASK_HEADS[task].fits(model);
    if (f.ok) return { task, implied: f.config ?? {} };
    tried.push({ task, reason: f.reason });
  }
  return { task: 'raw', implied: {}, tried };
}

/**
 * @internal The body of `model.infer`.
 *
 * @throws {@link ArgumentError} for a bad option, no image input, or a free input size without a spec.
 */
export async function inferImages<T extends TaskName>(
  model: InferTarget,
  images: ImageInput | readonly ImageInput[],
  options: InferOptions<T> = {},
): Promise<InferResult<T>[]> {
  if (typeof options !== 'object' || options === null) throw invalidArgument('options', options, 'object');
  const given = options.task === undefined ? undefined : checkOneOf('options.task', options.task, TASK_NAMES);
  const choice = chooseTask(model, given);
  const task = choice.task as T;
  const head = TASK_HEADS[task];
  if (options.config !== undefined && (typeof options.config !== 'object' || options.config === null)) {
    throw invalidArgument('options.config', options.config, `object of ${task} head settings`);
  }
  const config = { ...head.defaults, ...choice.implied, ...options.config } as TaskConfigs[T];
  const guessed =
    choice.tried === undefined
      ? {}
      : {
          tried: choice.tried,
          note: `no task head fits ${model.source}, so its raw outputs are returned (pass a task to choose one): ${choice.tried.map((t) => `${t.task}: ${t.reason}`).join('; ')}`,
        };
  const imageInputs = model.inputSpecs.filter((s) => s.shape.length === 4);
  if (imageInputs.length !== 1 || model.inputSpecs.length !== 1) {
    throw new ArgumentError(
      `${model.source}: infer() needs a model with one 4-D image input, this one has ${model.inputSpecs.map((s) => `'${s.name}' [${s.shape.join(',')}]`).join(', ')}; use run() with tensors`,
    );
  }
  const input = imageInputs[0]!;
  const spec = specForInput(input, head.preprocess, options.preprocess);
  const list: readonly ImageInput[] = Array.isArray(images) ? images : [images as ImageInput];
  if (list.length === 0) throw invalidArgument('images', images, 'at least one image');
  const runOptions: RunOptions = {
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  };
  const pre = {
    ...(options.kernel === undefined ? {} : { kernel: options.kernel }),
    ...(options.maxPixels === undefined ? {} : { maxPixels: options.maxPixels }),
  };
  return Promise.all(
    list.map(async (item, i) => {
      const { tensor, images: placed } = await preprocess(item, spec, pre);
      const image = placed[0]!;
      const outputs = await model.run({ [input.name]: tensor }, runOptions);
      const nchw = (spec.layout ?? 'nchw') === 'nchw';
      const tensorSize = { width: tensor.shape[nchw ? 3 : 2]!, height: tensor.shape[nchw ? 2 : 1]! };
      const decoded = (head.decode as (o: TensorMap, c: unknown, k: unknown) => TaskResults[T])(
        outputs,
        { image, index: 0, tensorSize },
        config,
      );
      const source = typeof item === 'string' ? item : `images[${i}]`;
      return {
        ...decoded,
        ...guessed,
        source,
        width: image.sourceWidth,
        height: image.sourceHeight,
      } as InferResult<T>;
    }),
  );
}
