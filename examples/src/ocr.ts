// OCR: the text of a picture, line by line, in reading order.
// Run: node examples/dist/ocr.js [image...]
import { loadOcr, type OcrResult, ocr } from '@edge/runtime';
import { DATA, PADDLE_OCR, runIfMain } from './assets.js';

export async function main(images: string[] = []): Promise<OcrResult[]> {
  const models = await loadOcr(PADDLE_OCR);
  try {
    const pages = await ocr(models, images.length ? images : [DATA.poster]);
    for (const page of pages) {
      for (const line of page.lines) console.log(line.confidence.toFixed(2), line.text);
    }
    return pages;
  } finally {
    await models.dispose();
  }
}
runIfMain(import.meta.url, main);
