// Classify: PaddleOCR's direction classifier says whether a line of text is upright or upside down.
// Run: node examples/dist/classify.js [image...]
import { type InferResult, loadModel } from '@edge/runtime';
import { DATA, PADDLE_OCR, runIfMain } from './assets.js';

export async function main(images: string[] = []): Promise<InferResult<'classify'>[]> {
  const model = await loadModel(PADDLE_OCR.cls);
  try {
    const results = await model.infer(images.length ? images : [DATA.line, DATA.lineUpsideDown], {
      task: 'classify',
      preprocess: 'paddleocr-cls',
      config: { labels: ['upright', 'upside down'], topK: 1 },
    });
    for (const r of results) console.log(r.source, r.classes[0]);
    return results;
  } finally {
    await model.dispose();
  }
}
runIfMain(import.meta.url, main);
