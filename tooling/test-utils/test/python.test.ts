import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkModels,
  MissingRequirementError,
  onnxCheck,
  python,
  requires,
  runPython,
  scratchDir,
} from '../src/index.js';

const dir = scratchDir('edge-test-utils-');

describe('Debian python', requires('python-numpy'), () => {
  it('runs a snippet with arguments and input; python() parses its JSON', () => {
    expect(
      python<number[]>(
        'import sys, json; print(json.dumps([len(sys.argv), len(sys.stdin.read())]))',
        ['a'],
        'xyz',
      ),
    ).toEqual([2, 3]);
    expect(runPython(['-c', 'import sys; sys.stdout.buffer.write(bytes([0, 255]))'])).toEqual(
      Buffer.from([0, 255]),
    );
  });

  it('EXPECTED FAILURE - a missing module names the Debian package that installs it', () => {
    const call = () => runPython(['-c', `raise ModuleNotFoundError("No module named 'cv2'")`]);
    expect(call).toThrow(MissingRequirementError);
    expect(call).toThrow(
      /^python-opencv is missing \(.*\): sudo apt-get install -y python3-opencv python3-numpy/,
    );
  });

  it('EXPECTED FAILURE - any other failure carries the exit status and stderr', () => {
    expect(() => runPython(['-c', 'import sys; sys.exit("boom")'])).toThrow('python failed (1): boom');
  });
});

describe('onnx.checker', requires('python-onnx'), () => {
  it('passes a valid model and names the error of a damaged one', () => {
    const good = join(dir, 'good.onnx');
    runPython([
      '-c',
      `import sys, onnx
from onnx import helper, TensorProto
x = helper.make_tensor_value_info('x', TensorProto.FLOAT, [1])
y = helper.make_tensor_value_info('y', TensorProto.FLOAT, [1])
g = helper.make_graph([helper.make_node('Relu', ['x'], ['y'])], 'g', [x], [y])
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid('', 13)]), sys.argv[1])`,
      good,
    ]);
    const bad = join(dir, 'bad.onnx');
    writeFileSync(bad, 'not a model');
    const errors = onnxCheck([good, bad]);
    expect(Object.keys(errors)).toEqual([bad]);
    const written = checkModels(dir, { copy: 'copy' }, () => new Uint8Array(Buffer.from('junk')));
    expect(Object.keys(written)).toEqual([join(dir, 'copy.onnx')]);
    expect(existsSync(join(dir, 'copy.onnx'))).toBe(true);
  });
});
