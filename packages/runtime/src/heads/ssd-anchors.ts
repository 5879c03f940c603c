// MediaPipe's SsdAnchorsCalculator: the anchor grid its SSD face detectors were trained with.

/** The calculator's options (mediapipe/calculators/tflite/ssd_anchors_calculator.proto). */
export interface SsdAnchorOptions {
  readonly inputWidth: number;
  readonly inputHeight: number;
  readonly minScale: number;
  readonly maxScale: number;
  /** Feature map stride of each layer; consecutive layers with one stride share a grid. */
  readonly strides: readonly number[];
  readonly aspectRatios: readonly number[];
  /** Adds an anchor at the geometric mean of this layer's and the next layer's scale. */
  readonly interpolatedScaleAspectRatio: number;
  readonly anchorOffsetX: number;
  readonly anchorOffsetY: number;
  /** Every anchor has width and height 1 (the regressor then predicts absolute sizes). */
  readonly fixedAnchorSize: boolean;
}

/** One anchor, normalised to the input size (0..1). */
export interface Anchor {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** Options of MediaPipe's short-range (BlazeFace 128x128) face detector: 896 anchors. */
export const FACE_SHORT_RANGE_ANCHORS: SsdAnchorOptions = Object.freeze({
  inputWidth: 128,
  inputHeight: 128,
  minScale: 0.1484375,
  maxScale: 0.75,
  strides: Object.freeze([8, 16, 16, 16]),
  aspectRatios: Object.freeze([1]),
  interpolatedScaleAspectRatio: 1,
  anchorOffsetX: 0.5,
  anchorOffsetY: 0.5,
  fixedAnchorSize: true,
});

/** Options of MediaPipe's full-range (192x192) face detector: one 48x48 grid, 2304 anchors. */
export const FACE_FULL_RANGE_ANCHORS: SsdAnchorOptions = Object.freeze({
  inputWidth: 192,
  inputHeight: 192,
  minScale: 0.1484375,
  maxScale: 0.75,
  strides: Object.freeze([4]),
  aspectRatios: Object.freeze([1]),
  interpolatedScaleAspectRatio: 0,
  anchorOffsetX: 0.5,
  anchorOffsetY: 0.5,
  fixedAnchorSize: true,
});

function scaleOf(min: number, max: number, index: number, count: number): number {
  return count === 1 ? (min + max) / 2 : min + ((max - min) * index) / (count - 1);
}

/**
 * The anchors, in the order the model's outputs list them: per stride group, rows of the grid
 * top to bottom, cells left to right, then the anchors of a cell. The short-range options give
 * 16x16 cells x 2 anchors (stride 8) + 8x8 cells x 6 anchors (three stride-16 layers) = 896.
 */
export function ssdAnchors(o: SsdAnchorOptions): Anchor[] {
  const anchors: Anchor[] = [];
  const n = o.strides.length;
  let layer = 0;
  while (layer < n) {
    const sizes: { w: number; h: number }[] = [];
    let last = layer;
    while (last < n && o.strides[last] === o.strides[layer]) {
      const scale = scaleOf(o.minScale, o.maxScale, last, n);
      for (const ratio of o.aspectRatios) {
        sizes.push({ w: scale * Math.sqrt(ratio), h: scale / Math.sqrt(ratio) });
      }
      if (o.interpolatedScaleAspectRatio > 0) {
        const next = last === n - 1 ? 1 : scaleOf(o.minScale, o.maxScale, last + 1, n);
        const s = Math.sqrt(scale * next);
        const r = Math.sqrt(o.interpolatedScaleAspectRatio);
        sizes.push({ w: s * r, h: s / r });
      }
      last++;
    }
    const stride = o.strides[layer]!;
    const rows = Math.ceil(o.inputHeight / stride);
    const cols = Math.ceil(o.inputWidth / stride);
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < cols; x++) {
        for (const size of sizes) {
          anchors.push({
            x: (x + o.anchorOffsetX) / cols,
            y: (y + o.anchorOffsetY) / rows,
            w: o.fixedAnchorSize ? 1 : size.w,
            h: o.fixedAnchorSize ? 1 : size.h,
          });
        }
      }
    }
    layer = last;
  }
  return anchors;
}
