// Image-folder feeds: which files a folder lists, the tensors they become, and the hash that says
// whether a calibration cache still belongs to the same images and preprocessing.
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FileIOError, type Tensor } from '@edge/core';
import { photoDir, requires } from '@edge/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { datasetHash, imageFeeds, listImages } from '../src/index.js';

const SKIMAGE = photoDir('skimage');
const dir = mkdtempSync(join(tmpdir(), 'edge-images-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh empty folder under the temp folder. */
function folder(name: string): string {
  const path = join(dir, name);
  mkdirSync(path);
  return path;
}

describe('listImages', requires('photos'), () => {
  it('lists the JPEG, PNG and WebP files of the skimage folder, sorted, as absolute paths, and nothing else', () => {
    const listed = listImages(SKIMAGE);
    const expected = readdirSync(SKIMAGE, { withFileTypes: true })
      .filter((e) => e.isFile() && /\.(jpe?g|png|webp)$/i.test(e.name))
      .map((e) => e.name)
      .sort();
    expect(listed).toEqual(expected.map((n) => join(SKIMAGE, n)));
    expect(listed.length).toBeGreaterThan(30);
    // Nor the TIFF and GIF files, which @edge/preprocess does not decode.
    expect(listed.some((p) => /\.(npy|npz|py|txt|tif|gif)$/.test(p))).toBe(false);
    // The folder has a 'tests' subfolder of its own images: not recursive.
    expect(listed.some((p) => p.includes('/tests/'))).toBe(false);
  });

  it('matches extensions in any case and skips folders named like images', () => {
    const d = folder('mixed');
    for (const name of [
      'b.JPG',
      'a.png',
      'c.WebP',
      'd.jpeg',
      'notes.txt',
      'image.png.bak',
      'scan.tif',
      'anim.gif',
    ])
      writeFileSync(join(d, name), 'x');
    mkdirSync(join(d, 'album.png'));
    expect(listImages(d)).toEqual(['a.png', 'b.JPG', 'c.WebP', 'd.jpeg'].map((n) => join(d, n)));
  });

  it('EXPECTED FAILURE - a missing folder: FileIOError naming it', () => {
    const missing = join(dir, 'no-such-folder');
    const call = () => listImages(missing);
    expect(call).toThrow(FileIOError);
    expect(call).toThrow(`cannot read the image folder ${missing}`);
    try {
      call();
    } catch (e) {
      expect((e as FileIOError).path).toBe(missing);
      expect((e as FileIOError).code).toBe('EDGE_IO');
    }
  });

  it('EXPECTED FAILURE - an empty folder, or one without images: FileIOError naming it', () => {
    const empty = folder('empty');
    expect(() => listImages(empty)).toThrow(FileIOError);
    expect(() => listImages(empty)).toThrow(`the folder ${empty} holds no image`);
    const text = folder('text-only');
    writeFileSync(join(text, 'readme.txt'), 'no pictures here');
    expect(() => listImages(text)).toThrow(`the folder ${text} holds no image`);
  });
});

describe('imageFeeds', requires('photos'), () => {
  const pngs = ['astronaut.png', 'camera.png', 'chelsea.png'].map((n) => join(SKIMAGE, n));

  it("yields one [1, 3, 48, 192] tensor per image under the input name with 'paddleocr-cls'", async () => {
    const tensors: Tensor[] = [];
    for await (const feed of imageFeeds(pngs, 'paddleocr-cls', 'x')) {
      expect(Object.keys(feed)).toEqual(['x']);
      tensors.push(feed.x!);
    }
    expect(tensors).toHaveLength(3);
    for (const t of tensors) {
      expect(t.dtype).toBe('float32');
      expect(t.shape).toEqual([1, 3, 48, 192]);
      // (x / 255 - 0.5) / 0.5: within [-1, 1], and not constant.
      const v = t.toFloat32();
      let lo = Infinity;
      let hi = -Infinity;
      for (const a of v) {
        lo = Math.min(lo, a);
        hi = Math.max(hi, a);
      }
      expect(lo).toBeGreaterThanOrEqual(-1);
      expect(hi).toBeLessThanOrEqual(1);
      expect(hi - lo).toBeGreaterThan(0.5);
    }
    // Different images, different tensors.
    expect(Array.from(tensors[0]!.toFloat32())).not.toEqual(Array.from(tensors[2]!.toFloat32()));
  });

  it('every file listImages finds in the skimage folder becomes a feed, but its truncated JPEG', async () => {
    const listed = listImages(SKIMAGE);
    const truncated = join(SKIMAGE, 'truncated.jpg');
    expect(listed).toContain(truncated);
    const good = listed.filter((p) => p !== truncated);
    let n = 0;
    for await (const feed of imageFeeds(good, 'paddleocr-cls', 'x')) {
      expect(feed.x!.shape).toEqual([1, 3, 48, 192]);
      n++;
    }
    expect(n).toBe(good.length);
    // skimage ships it cut short on purpose: the error names the file.
    const feeds = imageFeeds([truncated], 'paddleocr-cls', 'x');
    await expect(feeds.next()).rejects.toThrow(FileIOError);
    await expect(imageFeeds([truncated], 'paddleocr-cls', 'x').next()).rejects.toThrow(
      `${truncated}: not a readable image`,
    );
  });

  it('reads one image at a time, only as far as the consumer goes', async () => {
    const broken = join(folder('lazy'), 'broken.png');
    writeFileSync(broken, 'not a png');
    const feeds = imageFeeds([pngs[0]!, broken], 'paddleocr-cls', 'x');
    const first = await feeds.next();
    expect(first.done).toBe(false);
    // The broken file is read only when the second feed is asked for.
    await expect(feeds.next()).rejects.toThrow(broken);
  });

  it('EXPECTED FAILURE - a damaged image: an error naming the file', async () => {
    const broken = join(folder('damaged'), 'damaged.png');
    writeFileSync(broken, Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]));
    const run = async () => {
      for await (const _ of imageFeeds([broken], 'paddleocr-cls', 'x')) {
        // nothing: the first image fails
      }
    };
    await expect(run()).rejects.toThrow(broken);
  });
});

describe('datasetHash', requires('photos'), () => {
  const names = ['astronaut.png', 'coins.png'];

  function copySet(name: string): string[] {
    const d = folder(name);
    for (const n of names) copyFileSync(join(SKIMAGE, n), join(d, n));
    return names.map((n) => join(d, n));
  }

  it('is stable for the same files and spec, wherever the folder is', () => {
    const a = copySet('set-a');
    const b = copySet('set-b');
    const h = datasetHash(a, 'paddleocr-cls');
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(datasetHash(a, 'paddleocr-cls')).toBe(h);
    // Names and contents, not the folder: a copied set hashes the same.
    expect(datasetHash(b, 'paddleocr-cls')).toBe(h);
  });

  it("changes when a file's bytes change, and comes back when they are restored", () => {
    const paths = copySet('set-edit');
    const h = datasetHash(paths, 'paddleocr-cls');
    const bytes = readFileSync(paths[1]!);
    const changed = Buffer.from(bytes);
    const middle = changed.length >> 1;
    changed[middle] = changed[middle]! ^ 1;
    writeFileSync(paths[1]!, changed);
    expect(datasetHash(paths, 'paddleocr-cls')).not.toBe(h);
    writeFileSync(paths[1]!, bytes);
    expect(datasetHash(paths, 'paddleocr-cls')).toBe(h);
  });

  it('changes with the spec, a file name, the order or the set of files', () => {
    const paths = copySet('set-spec');
    const h = datasetHash(paths, 'paddleocr-cls');
    expect(datasetHash(paths, 'paddleocr-rec')).not.toBe(h);
    expect(datasetHash(paths, { size: { width: 192, height: 48 }, resize: 'stretch' })).not.toBe(h);
    expect(datasetHash([...paths].reverse(), 'paddleocr-cls')).not.toBe(h);
    expect(datasetHash(paths.slice(0, 1), 'paddleocr-cls')).not.toBe(h);
    const renamed = join(dirname(paths[1]!), 'other.png');
    copyFileSync(paths[1]!, renamed);
    expect(datasetHash([paths[0]!, renamed], 'paddleocr-cls')).not.toBe(h);
  });

  it('EXPECTED FAILURE - a file that cannot be read: FileIOError naming it', () => {
    const missing = join(dir, 'gone.png');
    const call = () => datasetHash([missing], 'paddleocr-cls');
    expect(call).toThrow(FileIOError);
    expect(call).toThrow(`cannot read ${missing}`);
  });
});
