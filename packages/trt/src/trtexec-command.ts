// The trtexec command that builds the same engine as a BuildPlan, for users who build with
// NVIDIA's tool (or want to check ours against it). trtexec's flags moved between releases:
//   - workspace: `--workspace=MiB` until 8.4, `--memPoolSize=workspace:<N>M` from 8.5 (the
//     former is deprecated there and gone in 10);
//   - batch: `--explicitBatch` on 8.x (ONNX is explicit batch; the flag keeps 8.0-8.4 from
//     warning); nothing on 10, where implicit batch no longer exists;
//   - precision: `--fp16`, `--int8` (+ `--calib=CACHE` on 8.x), `--best`; from 10.12
//     `--stronglyTyped` instead;
//   - shapes: `--minShapes/--optShapes/--maxShapes=name:1x3x224x224,...`;
//   - DLA: `--useDLACore=N` and `--allowGPUFallback`.

import { atLeast, type BuildOptions, type BuildPlan, parseTensorRTVersion, planBuild } from './build-plan.js';
import { readModelFacts } from './model-facts.js';

/** A trtexec invocation. */
export interface TrtexecCommand {
  /** argv without the program name. */
  readonly args: readonly string[];
  /** The whole command, shell-quoted, ready to paste. */
  readonly line: string;
}

/** Where the command reads and writes. */
export interface TrtexecPaths {
  /** The ONNX model. */
  readonly model: string;
  /** Where to save the engine (trtexec's own plan, without @edge/trt's header). */
  readonly engine?: string;
  /** trtexec's path; default `trtexec` (JetPack installs it as /usr/src/tensorrt/bin/trtexec). */
  readonly trtexec?: string;
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

// trtexec splits shape lists at ',' and names at the last ':'; names holding either are quoted.
function shapeName(name: string): string {
  return /[:,]/.test(name) ? `'${name}'` : name;
}

function shapeList(plan: BuildPlan, key: 'min' | 'opt' | 'max'): string {
  return plan.profile.map((p) => `${shapeName(p.name)}:${p[key].join('x')}`).join(',');
}

/**
 * The trtexec command building the engine `plan` describes, in the flags of the plan's TensorRT
 * version.
 */
export function trtexecCommand(plan: BuildPlan, paths: TrtexecPaths): TrtexecCommand {
  const v = plan.tensorrt;
  const args = [`--onnx=${paths.model}`];
  if (paths.engine !== undefined) args.push(`--saveEngine=${paths.engine}`);
  if (v.major < 10) args.push('--explicitBatch');
  if (plan.stronglyTyped) args.push('--stronglyTyped');
  if (plan.fp16 && plan.int8) args.push('--best');
  else if (plan.fp16) args.push('--fp16');
  else if (plan.int8) args.push('--int8');
  if (plan.calibrationCache !== null)
    args.push(`--calib=${plan.calibrationCachePath ?? 'CALIBRATION.cache'}`);
  if (plan.profile.length > 0) {
    args.push(
      `--minShapes=${shapeList(plan, 'min')}`,
      `--optShapes=${shapeList(plan, 'opt')}`,
      `--maxShapes=${shapeList(plan, 'max')}`,
    );
  }
  if (plan.workspaceBytes !== null) {
    const mib = Math.max(1, Math.ceil(plan.workspaceBytes / 2 ** 20));
    args.push(atLeast(v, 8, 5) ? `--memPoolSize=workspace:${mib}M` : `--workspace=${mib}`);
  }
  if (plan.dlaCore !== null) {
    args.push(`--useDLACore=${plan.dlaCore}`);
    if (plan.gpuFallback) args.push('--allowGPUFallback');
  }
  if (plan.device !== 0) args.push(`--device=${plan.device}`);
  if (plan.timingCache !== undefined) args.push(`--timingCacheFile=${plan.timingCache}`);
  if (plan.verbose) args.push('--verbose');
  const program = paths.trtexec ?? 'trtexec';
  return { args, line: [program, ...args].map(quote).join(' ') };
}

/**
 * The trtexec command for building `model` (an ONNX path) with `options` on TensorRT `tensorrt`
 * (`8.6`, `10.3.0`): the model is read for its inputs and precision, the plan made as
 * {@link buildEngine} would make it, then written in that version's flags.
 *
 * @throws {@link ArgumentError} when an option or the precision does not fit the model or version.
 * @throws {@link FileIOError} / {@link ModelParseError} when the model cannot be read.
 */
export function trtexecCommandForModel(
  model: string,
  tensorrt: string,
  options: BuildOptions = {},
  paths: Omit<TrtexecPaths, 'model'> = {},
): TrtexecCommand {
  const plan = planBuild(readModelFacts(model), options, parseTensorRTVersion(tensorrt));
  return trtexecCommand(plan, { ...paths, model });
}
