import { type ConvertOptions, convertModel, readModelFile, writeModelFile } from '@edge/onnx-parse';
import { type Command, type Io, parse, UsageError } from '../command.js';
import { parseShapeFlags } from './shape-flags.js';

const USAGE = `usage: edge convert <in.onnx> <out.onnx> [--batch N|name] [--shape name=DIMS]... [--fold-constants]
                    [--constants-to-initializers] [--drop-identity] [--upsample-to-resize] [--all]

Applies graph fixes and writes the result atomically. Without a fix flag, --all is assumed.

  --batch N|name                fix the batch dimension of every input to N, or free it as a name
  --shape name=DIMS             set an input's full shape (a bare DIMS applies to the first input)
  --fold-constants              fold constant subgraphs (Shape computations included) into initializers
  --constants-to-initializers   turn Constant nodes into initializers
  --drop-identity               remove Identity and inference-mode Dropout nodes
  --upsample-to-resize          replace Upsample (deprecated) with Resize
  --all                         all of the fixes above that take no value
  --json                        print what changed as JSON`;

/** `edge convert`: graph fixes (batch, shapes, folding, cleanup) written as a new ONNX file. */
export const convertCommand: Command = {
  name: 'convert',
  usage: USAGE,
  run(args: string[], io: Io): number {
    const { values, positionals } = parse(args, {
      string: ['batch'],
      boolean: [
        'fold-constants',
        'constants-to-initializers',
        'drop-identity',
        'upsample-to-resize',
        'all',
        'json',
      ],
      multiple: ['shape'],
    });
    if (positionals.length !== 2) {
      throw new UsageError(`expected an input and an output file, got ${positionals.length} file(s)`);
    }
    const [input, output] = positionals as [string, string];
    const fixFlags = ['fold-constants', 'constants-to-initializers', 'drop-identity', 'upsample-to-resize'];
    const all = values.all === true || !fixFlags.some((f) => values[f] === true);
    const options: ConvertOptions = {
      foldConstants: all || values['fold-constants'] === true,
      constantsToInitializers: all || values['constants-to-initializers'] === true,
      dropIdentity: all || values['drop-identity'] === true,
      upsampleToResize: all || values['upsample-to-resize'] === true,
    };
    if (values.batch !== undefined) {
      const b = String(values.batch);
      if (/^\d+$/.test(b)) {
        if (Number(b) < 1) throw new UsageError(`--batch expects a positive integer or a name, got '${b}'`);
        options.batch = Number(b);
      } else if (/^[A-Za-z_][\w.]*$/.test(b)) options.batch = b;
      else throw new UsageError(`--batch expects a positive integer or a name, got '${b}'`);
    }
    const shapes = parseShapeFlags((values.shape as string[] | undefined) ?? [], input);
    if (shapes) options.inputShapes = shapes;
    const result = convertModel(readModelFile(input), options);
    writeModelFile(output, result.model);
    const changes = result.changes.map((c) => c.message);
    if (values.json) io.stdout.write(`${JSON.stringify({ input, output, changes }, null, 2)}\n`);
    else io.stdout.write(`${output}\n${changes.map((c) => `  ${c}`).join('\n')}\n`);
    return 0;
  },
};
