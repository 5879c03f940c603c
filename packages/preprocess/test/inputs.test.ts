// Every kind of input, and every kind of bad input: typed errors that name the input, and a
// caller's output tensor left untouched when anything is wrong.

import { readFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';
import { ArgumentError, FileIOError, isEdgeError, Tensor } from '@edge/core';
import { photo, requires } from '@edge/test-utils';
import sharp from 'sharp';
import { describe, expect, it, vi } from 'vitest';
import { createKernelJob } from '../src/kernel/index.js';
import { preprocess, preprocessSync } from '../src/preprocess.js';
import { transformBox } from '../src/transform.js';

const SPEC = { size: { width: 32, height: 24 } } as const;

/** A small RGB test image: red increases to the right, green downwards. */
function gradient(w: number, h: number): Uint8Array {
  const d = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) d.set([x * 4, y * 4, 77], (y * w + x) * 3);
  return d;
}

/** A PNG whose header declares `w` x `h` RGB pixels, with only 64 bytes of pixel data: a bomb's header. */
function pngHeaderOnly(w: number, h: number): Buffer {
  const chunk = (type: string, body: Buffer) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(body.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type), body])));
    return Buffer.concat([head, Buffer.from(type), body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(64))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('inputs', requires('photos'), () => {
  it('decodes a path and the same file as a Buffer to the same tensor', async () => {
    const path = photo('skimage/chelsea.png');
    const a = await preprocess(path, 'imagenet-torchvision', { kernel: 'typescript' });
    const b = await preprocess(readFileSync(path), 'imagenet-torchvision', { kernel: 'typescript' });
    expect(a.tensor.shape).toEqual([1, 3, 224, 224]);
    expect(Array.from(b.tensor.data as Float32Array)).toEqual(Array.from(a.tensor.data as Float32Array));
    expect(a.images[0]!.label).toBe(path);
    expect(b.images[0]!.label).toBe('inputs[0]');
    expect([a.images[0]!.sourceWidth, a.images[0]!.sourceHeight]).toEqual([451, 300]);
  });

  it('decodes WebP', async () => {
    const webp = await sharp(gradient(40, 30), { raw: { width: 40, height: 30, channels: 3 } })
      .webp({ lossless: true })
      .toBuffer();
    const { tensor } = await preprocess(webp, {
      ...SPEC,
      dtype: 'uint8',
      layout: 'nhwc',
      size: { width: 40, height: 30 },
    });
    expect(Array.from(tensor.data as Uint8Array)).toEqual(Array.from(gradient(40, 30)));
  });

  it('takes raw frames in every channel order, with a row stride, to the same tensor', () => {
    const w = 20;
    const h = 10;
    const rgb = gradient(w, h);
    const frame = (order: 'rgb' | 'bgr' | 'rgba' | 'bgra', pad: number) => {
      const c = order.length;
      const stride = w * c + pad;
      const data = new Uint8Array(stride * h);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const [r, g, b] = rgb.subarray((y * w + x) * 3, (y * w + x) * 3 + 3);
          const px = order.startsWith('rgb') ? [r!, g!, b!] : [b!, g!, r!];
          if (c === 4) px.push(255);
          data.set(px, y * stride + x * c);
        }
      }
      return { data, width: w, height: h, order, stride };
    };
    const expected = preprocessSync({ data: rgb, width: w, height: h, order: 'rgb' }, SPEC, {
      kernel: 'typescript',
    }).tensor;
    for (const order of ['rgb', 'bgr', 'rgba', 'bgra'] as const) {
      const { tensor } = preprocessSync(frame(order, 7), SPEC, { kernel: 'typescript' });
      expect(Array.from(tensor.data as Float32Array), order).toEqual(
        Array.from(expected.data as Float32Array),
      );
    }
  });

  it('takes a gray frame (replicated to RGB) and a uint8 HWC tensor', () => {
    const gray = { data: new Uint8Array([0, 51, 102, 255]), width: 2, height: 2, order: 'gray' as const };
    const { tensor } = preprocessSync(gray, {
      size: { width: 2, height: 2 },
      layout: 'nhwc',
      dtype: 'uint8',
    });
    expect(Array.from(tensor.data as Uint8Array)).toEqual([
      0, 0, 0, 51, 51, 51, 102, 102, 102, 255, 255, 255,
    ]);
    const t = new Tensor('uint8', [1, 10, 20, 3], gradient(20, 10));
    const fromTensor = preprocessSync(t, SPEC).tensor;
    const fromRaw = preprocessSync(
      { data: gradient(20, 10), width: 20, height: 10, order: 'rgb' },
      SPEC,
    ).tensor;
    expect(Array.from(fromTensor.data as Float32Array)).toEqual(Array.from(fromRaw.data as Float32Array));
  });

  it('writes a batch into one tensor, reuses a given output, and reports progress', async () => {
    const files = [photo('skimage/astronaut.png'), photo('opencv/fruits.jpg'), photo('skimage/coffee.png')];
    const progress: string[] = [];
    const first = await preprocess(files, 'yolo', {
      kernel: 'typescript',
      onProgress: (d, t) => progress.push(`${d}/${t}`),
    });
    expect(first.tensor.shape).toEqual([3, 3, 640, 640]);
    expect(progress).toEqual(['1/3', '2/3', '3/3']);
    const single = await preprocess(files[1]!, 'yolo', { kernel: 'typescript' });
    const slot = 3 * 640 * 640;
    expect(Array.from(first.tensor.data.subarray(slot, 2 * slot) as Float32Array)).toEqual(
      Array.from(single.tensor.data as Float32Array),
    );
    const again = await preprocess(files, 'yolo', { out: first.tensor, kernel: 'typescript' });
    expect(again.tensor).toBe(first.tensor);
  });

  it('maps a box from a letterboxed tensor back onto the original image', async () => {
    // coffee.png is 600x400: letterboxed into 640x640 it is scaled by 640/600 to 640x427 and shifted
    // down by round(106.5 - 0.1) = 106, as ultralytics does it.
    const { images } = await preprocess(photo('skimage/coffee.png'), 'yolo');
    const img = images[0]!;
    expect(img.dstRect).toEqual({ x: 0, y: 106, width: 640, height: 427 });
    const box = transformBox(img.toSource, [64, 106 + 32, 320, 320]);
    expect(box[0]).toBeCloseTo(60, 10);
    expect(box[1]).toBeCloseTo(32 * (400 / 427), 10);
    expect(box[2]).toBeCloseTo(300, 10);
    const back = transformBox(img.toTensor, box);
    for (const [i, v] of back.entries()) expect(v).toBeCloseTo([64, 138, 320, 320][i]!, 9);
    // A detection that spills into the padding is clipped to the original image.
    expect(transformBox(img.toSource, [0, 0, 640, 640], { width: 600, height: 400 })).toEqual([
      0, 0, 600, 400,
    ]);
  });

  it('gives the benchmark the job preprocessSync runs', () => {
    const frame = { data: gradient(20, 10), width: 20, height: 10, order: 'rgb' as const };
    const out = Tensor.zeros('float32', [2, 3, 24, 32]);
    const job = createKernelJob(frame, SPEC, out, 1);
    expect(job.dstOffset).toBe(3 * 24 * 32);
    expect(job.dst).toBe(out.data);
  });
});

describe('bad input', requires('photos'), () => {
  const out = () => {
    const t = Tensor.zeros('float32', [2, 3, 24, 32]);
    (t.data as Float32Array).fill(-7);
    return t;
  };
  const untouched = (t: Tensor) => expect((t.data as Float32Array).every((v) => v === -7)).toBe(true);
  const good = photo('skimage/astronaut.png');

  it('EXPECTED FAILURE - a truncated JPEG names the file, and the output is untouched', async () => {
    const bytes = readFileSync(photo('opencv/fruits.jpg'));
    const t = out();
    const err = await preprocess([good, bytes.subarray(0, bytes.length >> 1)], SPEC, { out: t }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(FileIOError);
    expect(err.message).toMatch(/^inputs\[1\]: corrupt or truncated jpeg image/);
    expect(err.path).toBe('inputs[1]');
    untouched(t);
  });

  it('EXPECTED FAILURE - a corrupt PNG (damaged data)', async () => {
    const bytes = Buffer.from(readFileSync(photo('skimage/chelsea.png')));
    for (let i = bytes.length >> 1; i < (bytes.length >> 1) + 2000; i++)
      bytes[i] = (bytes[i]! * 7 + 13) & 0xff;
    const err = await preprocess(bytes, SPEC).catch((e) => e);
    expect(err).toBeInstanceOf(FileIOError);
    expect(err.message).toMatch(/^inputs\[0\]: (corrupt or truncated png image|not a readable image)/);
  });

  it('EXPECTED FAILURE - a file that is not an image, and an empty one', async () => {
    const notImage = await preprocess(Buffer.from('hello, not an image'), SPEC).catch((e) => e);
    expect(notImage).toBeInstanceOf(FileIOError);
    expect(notImage.message).toMatch(
      /^inputs\[0\]: not a readable image \(.*\); expected JPEG, PNG or WebP$/,
    );
    const empty = await preprocess(new Uint8Array(0), SPEC).catch((e) => e);
    expect(empty).toBeInstanceOf(FileIOError);
    expect(empty.message).toBe('inputs[0]: empty file (0 bytes), not an image');
  });

  it('EXPECTED FAILURE - an unsupported format (GIF) and a missing file', async () => {
    const gif = await sharp(gradient(4, 4), { raw: { width: 4, height: 4, channels: 3 } })
      .gif()
      .toBuffer();
    const err = await preprocess(gif, SPEC).catch((e) => e);
    expect(err).toBeInstanceOf(FileIOError);
    expect(err.message).toBe("inputs[0]: unsupported image format 'gif' (expected JPEG, PNG or WebP)");
    const missing = await preprocess('/nonexistent/photo.jpg', SPEC).catch((e) => e);
    expect(missing).toBeInstanceOf(FileIOError);
    expect(missing.message).toBe('/nonexistent/photo.jpg: cannot read (ENOENT)');
  });

  it('EXPECTED FAILURE - a decompression bomb is refused from its header, with a configurable limit', async () => {
    // Only the header counts: a PNG that declares 12000x10000 pixels and holds no pixel data.
    const bomb = pngHeaderOnly(12000, 10000);
    const err = await preprocess(bomb, SPEC).catch((e) => e);
    expect(err).toBeInstanceOf(FileIOError);
    expect(err.message).toBe(
      'inputs[0]: 12000x10000 is 120.0 megapixels, over the limit of 100 megapixels (a decompression bomb? raise options.maxPixels to accept it)',
    );
    const small = await preprocess(good, SPEC, { maxPixels: 1000 }).catch((e) => e);
    expect(small).toBeInstanceOf(FileIOError);
    expect(small.message).toMatch(
      /^.*astronaut\.png: 512x512 is 0\.3 megapixels, over the limit of 0\.001 megapixels/,
    );
  });

  it('BAD CALL - a raw buffer whose length does not match width x height x channels x stride', () => {
    const t = out();
    const err = (() => {
      try {
        preprocessSync(
          [
            { data: gradient(20, 10), width: 20, height: 10, order: 'rgb' },
            { data: new Uint8Array(599), width: 20, height: 10, order: 'rgb' },
          ],
          SPEC,
          { out: t },
        );
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(ArgumentError);
    expect(err!.message).toBe(
      'inputs[1]: raw rgb data of 599 bytes does not match 20x10, 3 channel(s), stride 60 (expected 600 bytes)',
    );
    untouched(t);
    expect(() =>
      preprocessSync({ data: new Uint8Array(1000), width: 20, height: 10, order: 'bgra', stride: 90 }, SPEC),
    ).toThrow(
      'inputs[0]: raw bgra data of 1000 bytes does not match 20x10, 4 channel(s), stride 90 (expected 890 to 900 bytes)',
    );
    expect(() =>
      preprocessSync({ data: new Uint8Array(600), width: 20, height: 10, order: 'rgb', stride: 50 }, SPEC),
    ).toThrow(
      'Expected integer of at least 60 (width x 3 channels) for inputs[0].stride but received 50 of type number',
    );
  });

  it('BAD CALL - zero-sized images', () => {
    expect(() =>
      preprocessSync({ data: new Uint8Array(0), width: 0, height: 10, order: 'rgb' }, SPEC),
    ).toThrow(
      new ArgumentError('Expected positive integer for inputs[0].width but received 0 of type number'),
    );
    expect(() => preprocessSync(new Tensor('uint8', [0, 5, 3], new Uint8Array(0)), SPEC)).toThrow(
      'inputs[0]: the image tensor is empty (shape [0, 5, 3])',
    );
    expect(() => preprocessSync(Tensor.zeros('float32', [4, 4, 3]), SPEC)).toThrow(
      'Expected "uint8" (an 8-bit HWC image tensor; convert float tensors first) for inputs[0].dtype but received "float32" of type string',
    );
  });

  it('BAD CALL - an output tensor of the wrong shape or dtype', () => {
    const frame = { data: gradient(20, 10), width: 20, height: 10, order: 'rgb' as const };
    expect(() => preprocessSync(frame, SPEC, { out: Tensor.zeros('float16', [1, 3, 24, 32]) })).toThrow(
      new ArgumentError(
        'Expected Tensor<float32>[1,3,24,32] (the result\'s dtype and shape) for options.out but received "Tensor<float16>[1,3,24,32]" of type string',
      ),
    );
  });

  it('BAD CALL - an encoded input to the synchronous API, and an empty batch', () => {
    expect(() => preprocessSync(good, SPEC)).toThrow(ArgumentError);
    expect(() => preprocessSync([], SPEC)).toThrow(
      'Expected at least one image for inputs but received [] of type object',
    );
  });

  it('EXPECTED FAILURE - a batch whose dynamic sizes differ (PaddleOCR detection)', async () => {
    const err = await preprocess(
      [photo('skimage/astronaut.png'), photo('skimage/coffee.png')],
      'paddleocr-det',
    ).catch((e) => e);
    expect(err).toBeInstanceOf(ArgumentError);
    expect(err.message).toMatch(
      /coffee\.png: its dynamic size 608x384 differs from 512x512 of .*astronaut\.png; a batch needs one size: preprocess these images one by one, or set spec.size$/,
    );
  });

  it('EXPECTED FAILURE - the native kernel asked for but not available', async () => {
    // A fresh copy of the package with the native kernel switched off, as on a machine without it.
    vi.stubEnv('EDGE_PREPROCESS_NATIVE', 'off');
    vi.resetModules();
    try {
      const fresh = await import('../src/index.js');
      expect(fresh.nativeKernelStatus().available).toBe(false);
      const frame = { data: gradient(20, 10), width: 20, height: 10, order: 'rgb' as const };
      expect(() => fresh.preprocessSync(frame, SPEC, { kernel: 'native' })).toThrow(/build:native/);
      const err = (() => {
        try {
          fresh.preprocessSync(frame, SPEC, { kernel: 'native' });
        } catch (e) {
          return e;
        }
      })();
      expect(isEdgeError(err, 'EDGE_UNAVAILABLE')).toBe(true);
      // 'auto' quietly uses the TypeScript kernel instead.
      expect(fresh.preprocessSync(frame, SPEC).kernel).toBe('typescript');
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });
});
