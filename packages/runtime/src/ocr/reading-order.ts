// Reading order of text boxes: boxes that share most of their height form a line; lines run top
// to bottom, boxes in a line left to right. (PaddleOCR's sorted_boxes compares top-left corners
// within a fixed 10 pixels, which splits a line of mixed font sizes.)

import type { Box } from '@edge/preprocess';

/** @internal Indices of `boxes` in reading order. */
export function readingOrder(boxes: readonly Box[]): number[] {
  const order = boxes
    .map((_, i) => i)
    .sort((a, b) => boxes[a]![1] - boxes[b]![1] || boxes[a]![0] - boxes[b]![0]);
  const lines: { top: number; bottom: number; members: number[] }[] = [];
  for (const i of order) {
    const [, y1, , y2] = boxes[i]!;
    const line = lines.find((l) => {
      const overlap = Math.min(l.bottom, y2) - Math.max(l.top, y1);
      return overlap >= 0.5 * Math.min(l.bottom - l.top, y2 - y1);
    });
    if (line === undefined) lines.push({ top: y1, bottom: y2, members: [i] });
    else line.members.push(i);
  }
  const centre = (l: (typeof lines)[number]) =>
    l.members.reduce((s, i) => s + boxes[i]![1] + boxes[i]![3], 0) / (2 * l.members.length);
  return lines
    .sort((a, b) => centre(a) - centre(b))
    .flatMap((l) => l.members.sort((a, b) => boxes[a]![0] - boxes[b]![0]));
}
