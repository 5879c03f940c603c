// Detect: boxes from a YOLOv8-layout model, through the letterbox back onto the picture, drawn.
// The model is a generated stand-in (no YOLO ships in npm); pass your own .onnx to run a real one.
// Run: node examples/dist/detect.js [model.onnx] [image] [out.png]
import { type InferResult, loadModel, writeResultImage } from '@edge/runtime';
import { DATA, runIfMain } from './assets.js';
import { standInDetector } from './stand-ins.js';

export async function main(args: string[] = []): Promise<InferResult<'detect'>> {
  const [model = '', image = DATA.poster, out = ''] = args;
  const detector = await loadModel(model || standInDetector());
  try {
    const [result] = await detector.infer(image, { config: { labels: ['person', 'rocket'] } });
    if (result?.task !== 'detect') throw new Error(`expected boxes, got ${result?.task}`);
    for (const d of result.detections) console.log(d.label, d.score.toFixed(2), d.box.map(Math.round));
    if (out) await writeResultImage(out, image, result);
    return result;
  } finally {
    await detector.dispose();
  }
}
runIfMain(import.meta.url, main);
