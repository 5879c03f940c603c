// Landmarks: MediaPipe's hand landmark model, 21 points and the presence of a hand in the crop.
// Run: node examples/dist/landmarks.js [image] [out.png]
import { type InferResult, loadModel, writeResultImage } from '@edge/runtime';
import { DATA, MEDIAPIPE, runIfMain } from './assets.js';

export async function main(args: string[] = []): Promise<InferResult<'landmarks'>> {
  const [image = DATA.hand, out = ''] = args;
  const model = await loadModel(MEDIAPIPE.hand);
  try {
    const [hand] = await model.infer(image);
    if (hand?.task !== 'landmarks') throw new Error(`expected landmarks, got ${hand?.task}`);
    console.log(`hand present: ${hand.present} (${hand.presence?.toFixed(3)}), wrist at`, hand.landmarks[0]);
    if (out) await writeResultImage(out, image, hand);
    return hand;
  } finally {
    await model.dispose();
  }
}
runIfMain(import.meta.url, main);
