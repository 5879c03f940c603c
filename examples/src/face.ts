// Face detection: MediaPipe's full-range detector (TFLite), boxes and six keypoints per face.
// Run: node examples/dist/face.js [image] [out.png]
import { type InferResult, loadModel, writeResultImage } from '@edge/runtime';
import { DATA, MEDIAPIPE, runIfMain } from './assets.js';

export async function main(args: string[] = []): Promise<InferResult<'face'>> {
  const [image = DATA.poster, out = ''] = args;
  const model = await loadModel(MEDIAPIPE.face);
  try {
    const [result] = await model.infer(image);
    if (result?.task !== 'face') throw new Error(`expected faces, got ${result?.task}`);
    for (const f of result.faces) console.log(f.score.toFixed(2), f.box.map(Math.round));
    if (out) await writeResultImage(out, image, result);
    return result;
  } finally {
    await model.dispose();
  }
}
runIfMain(import.meta.url, main);
