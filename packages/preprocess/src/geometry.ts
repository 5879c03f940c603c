// Where each image lands in its output slot: the source region, the destination rectangle and
// the output size, computed with the rounding each upstream recipe uses (Python's round() is
// round-half-even, int() truncates).

import { ArgumentError } from '@edge/core';
import type { Rect } from './kernel/job.js';
import { roundHalfEven } from './kernel/tables.js';
import type { ResolvedSpec, Size } from './spec.js';

/** The placement of one image. */
export interface Placement {
  outWidth: number;
  outHeight: number;
  srcRect: Rect;
  dstRect: Rect;
}

/** Python 3's round(): half to even (and never -0). */
const pyRound = (v: number): number => roundHalfEven(v) + 0;

/** The output size for an image of `w` x `h` (PaddleOCR's DetResizeForTest when dynamic). */
export function outputSize(spec: ResolvedSpec, w: number, h: number): Size {
  if (spec.size !== undefined) return spec.size;
  const { limitSide, limitType, multiple } = spec.dynamicSize!;
  let ratio = 1;
  if (limitType === 'max') {
    if (Math.max(h, w) > limitSide) ratio = h > w ? limitSide / h : limitSide / w;
  } else if (Math.min(h, w) < limitSide) {
    ratio = h < w ? limitSide / h : limitSide / w;
  }
  const rh = Math.trunc(h * ratio);
  const rw = Math.trunc(w * ratio);
  return {
    width: Math.max(pyRound(rw / multiple) * multiple, multiple),
    height: Math.max(pyRound(rh / multiple) * multiple, multiple),
  };
}

/**
 * Places a `w` x `h` image according to the spec.
 *
 * @throws {@link ArgumentError} when the image cannot be placed (a side would round to 0 pixels).
 */
export function placeImage(spec: ResolvedSpec, w: number, h: number): Placement {
  const { width: W, height: H } = outputSize(spec, w, h);
  const full: Rect = { x: 0, y: 0, width: w, height: h };
  const whole: Rect = { x: 0, y: 0, width: W, height: H };
  let srcRect = full;
  let dstRect = whole;
  switch (spec.resize) {
    case 'stretch':
      break;
    case 'letterbox': {
      // ultralytics LetterBox: ratio, unpadded size, then padding split with round(d -/+ 0.1).
      const r = Math.min(H / h, W / w);
      const nw = pyRound(w * r);
      const nh = pyRound(h * r);
      const x = spec.align === 'center' ? pyRound((W - nw) / 2 - 0.1) : 0;
      const y = spec.align === 'center' ? pyRound((H - nh) / 2 - 0.1) : 0;
      dstRect = { x, y, width: nw, height: nh };
      break;
    }
    case 'center-crop': {
      const aspect = W / H;
      let cw: number;
      let ch: number;
      if (w / h > aspect) {
        ch = h;
        cw = pyRound(h * aspect);
      } else {
        cw = w;
        ch = pyRound(w / aspect);
      }
      srcRect = { x: pyRound((w - cw) / 2), y: pyRound((h - ch) / 2), width: cw, height: ch };
      break;
    }
    case 'shorter-side-crop': {
      // torchvision Resize(s) then CenterCrop: the resized image is larger than the output and
      // dstRect extends past it on both sides.
      const s = spec.shorterSide!;
      const [rw, rh] = w <= h ? [s, Math.trunc((s * h) / w)] : [Math.trunc((s * w) / h), s];
      dstRect = { x: -pyRound((rw - W) / 2), y: -pyRound((rh - H) / 2), width: rw, height: rh };
      break;
    }
    case 'pad-right': {
      // PaddleOCR resize_norm_img: height H, width ceil(H * w / h) at most W, left-aligned.
      const want = Math.ceil(H * (w / h));
      dstRect = { x: 0, y: 0, width: Math.min(want, W), height: H };
      break;
    }
  }
  if (srcRect.width < 1 || srcRect.height < 1 || dstRect.width < 1 || dstRect.height < 1) {
    throw new ArgumentError(
      `a ${w}x${h} image cannot be placed into ${W}x${H} with resize '${spec.resize}': a side would be 0 pixels`,
    );
  }
  return { outWidth: W, outHeight: H, srcRect, dstRect };
}
