// Text detection: PaddleOCR's detector finds the lines of text; the head is read from the model.
// Run: node examples/dist/detect-text.js [image] [out.png]
import { type InferResult, loadModel, writeResultImage } from '@edge/runtime';
import { DATA, PADDLE_OCR, runIfMain } from './assets.js';

export async function main(args: string[] = []): Promise<InferResult<'text'>> {
  const [image = DATA.poster, out = ''] = args;
  const model = await loadModel(PADDLE_OCR.det);
  try {
    const [page] = await model.infer(image);
    if (page?.task !== 'text') throw new Error(`expected text boxes, got ${page?.task}`);
    for (const line of page.boxes) console.log(line.score.toFixed(2), line.box.map(Math.round));
    if (out) await writeResultImage(out, image, page);
    return page;
  } finally {
    await model.dispose();
  }
}
runIfMain(import.meta.url, main);
