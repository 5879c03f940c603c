// On a machine with an NVIDIA GPU and driver (no TensorRT needed): runs the CUDA preprocessing
// kernel through the addon on random images and compares every element with its CPU mirror
// (runGpuReference), which the tests hold against @edge/preprocess's CPU kernel. Prints one JSON
// line; exits 1 on any difference. Needs the built package (pnpm --filter @edge/trt build).
import { createGpuPreprocessor, runGpuReference } from '../dist/index.js';

let seed = 1;
function random() {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed / 2 ** 32;
}
const gpu = createGpuPreprocessor();
const results = [];
for (const [w, h, ow, oh, interpolation, layout, dtype] of [
  [1920, 1080, 640, 640, 'bilinear', 'nchw', 'float32'],
  [333, 217, 160, 96, 'bilinear', 'nhwc', 'float16'],
  [640, 480, 224, 224, 'nearest', 'nchw', 'int8'],
  [97, 61, 320, 200, 'bilinear', 'nchw', 'uint8'],
]) {
  const src = Uint8Array.from({ length: w * h * 3 }, () => Math.floor(random() * 256));
  const Array_ = { float32: Float32Array, float16: Uint16Array, int8: Int8Array, uint8: Uint8Array }[dtype];
  const job = {
    src,
    srcWidth: w,
    srcHeight: h,
    srcStride: w * 3,
    srcChannels: 3,
    channelMap: [2, 1, 0],
    srcRect: { x: 0, y: 0, width: w, height: h },
    dstRect: { x: 0, y: Math.floor(oh / 8), width: ow, height: oh - Math.floor(oh / 4) },
    outWidth: ow,
    outHeight: oh,
    interpolation,
    mul: [1 / 58.4, 1 / 57.1, 1 / 57.4],
    add: [-2.12, -2.04, -1.8],
    pad: [114, 114, 114],
    layout,
    dtype,
    quantScale: dtype === 'int8' ? 0.02 : 1 / 255,
    quantZeroPoint: 0,
    dst: new Array_(3 * ow * oh),
    dstOffset: 0,
  };
  const want = { ...job, dst: new Array_(job.dst.length) };
  const started = performance.now();
  await gpu.run(job);
  const ms = performance.now() - started;
  runGpuReference(want);
  let differ = 0;
  for (let i = 0; i < want.dst.length; i++) if (!Object.is(want.dst[i], job.dst[i])) differ++;
  results.push({
    case: `${w}x${h}->${ow}x${oh} ${interpolation} ${layout} ${dtype}`,
    elements: want.dst.length,
    differ,
    ms: Number(ms.toFixed(2)),
  });
}
gpu.dispose();
console.log(JSON.stringify(results));
process.exit(results.some((r) => r.differ > 0) ? 1 : 0);
