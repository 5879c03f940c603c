// Segment: a class per pixel, resized back onto the picture and blended over it.
// The model is a generated stand-in (each pixel's class is its strongest colour channel).
// Run: node examples/dist/segment.js [model.onnx] [image] [out.png]
import { type InferResult, loadModel, writeResultImage } from '@edge/runtime';
import { DATA, runIfMain } from './assets.js';
import { standInSegmenter } from './stand-ins.js';

export async function main(args: string[] = []): Promise<InferResult<'segment'>> {
  const [model = '', image = DATA.poster, out = ''] = args;
  const segmenter = await loadModel(model || standInSegmenter());
  try {
    const [result] = await segmenter.infer(image, { config: { labels: ['red', 'green', 'blue'] } });
    if (result?.task !== 'segment') throw new Error(`expected a mask, got ${result?.task}`);
    for (const c of result.classes) console.log(c.label, c.pixels);
    if (out) await writeResultImage(out, image, result);
    return result;
  } finally {
    await segmenter.dispose();
  }
}
runIfMain(import.meta.url, main);
