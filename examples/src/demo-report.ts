// The demo's HTML page: one self-contained file beside the annotated picture, linking any other
// report found in the same folder (e.g. the bench report, when a step writes one there).

/** Everything the demo measured, as report.json holds it. */
export interface DemoReport {
  readonly cpu: string;
  readonly steps: readonly { readonly name: string; readonly seconds: number }[];
  readonly check: readonly {
    readonly target: string;
    readonly name: string;
    readonly verdict: string;
    readonly summary: string;
  }[];
  readonly ocr: {
    readonly lines: readonly {
      readonly text: string;
      readonly confidence: number;
      readonly box: readonly number[];
    }[];
    readonly truthLines: number;
    readonly accuracy: number;
    readonly faces: number;
  };
  readonly int8: {
    readonly method: string;
    readonly calibrationImages: number;
    readonly quantizedNodes: number;
    readonly keptNodes: number;
    readonly fp32Ms: number;
    readonly int8Ms: number;
    readonly speedup: number;
    readonly mapIou: number;
    readonly cosine: number;
    readonly ocrAccuracy: { readonly fp32: number; readonly int8: number };
    readonly sameLines: number;
  };
  readonly files: readonly string[];
}

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot' }[c]};`);
const pct = (v: number) => `${(100 * v).toFixed(1)} %`;

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const tr = (cells: readonly string[], tag: string) =>
    `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join('')}</tr>`;
  return `<table>${tr(head, 'th')}${rows.map((r) => tr(r, 'td')).join('')}</table>`;
}

/** The page. `others` are the names of other reports in the folder, linked at the top. */
export function renderDemoReport(r: DemoReport, image: string, others: readonly string[]): string {
  const i = r.int8;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>edge demo</title>
<style>body{font:15px system-ui,sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;margin:.5em 0 1.5em}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}th{background:#f3f3f3}img{max-width:100%;border:1px solid #ccc}
.deployable{color:#176c2f}.fallback{color:#8a6100}.incompatible,.undeployable{color:#a11}</style></head><body>
<h1>edge demo</h1>
<p>CPU flags: ${esc(r.cpu)}. ${others.length ? `Other reports here: ${others.map((o) => `<a href="${esc(o)}">${esc(o)}</a>`).join(', ')}.` : ''}</p>
<h2>1. Will the text detector deploy? (<code>edge check</code>, every target)</h2>
${table(
  ['target', 'engine', 'verdict', 'summary'],
  r.check.map((c) => [
    esc(c.target),
    esc(c.name),
    `<span class="${esc(c.verdict)}">${esc(c.verdict)}</span>`,
    esc(c.summary),
  ]),
)}
<h2>2. Text and faces on the picture</h2>
<p><img src="${esc(image)}" alt="the picture with the text boxes and the face drawn"></p>
<p>${r.ocr.lines.length} lines read (${r.ocr.truthLines} written on the picture), character accuracy against what was written
<b>${pct(r.ocr.accuracy)}</b>; ${r.ocr.faces} face${r.ocr.faces === 1 ? '' : 's'} found.</p>
${table(
  ['#', 'text', 'confidence', 'box'],
  r.ocr.lines.map((l, k) => [
    String(k + 1),
    esc(l.text),
    l.confidence.toFixed(3),
    l.box.map((v) => Math.round(v)).join(', '),
  ]),
)}
<h2>3. FP32 against INT8 (text detector)</h2>
<p>Calibrated on ${i.calibrationImages} other images (${esc(i.method)} ranges), ${i.quantizedNodes} nodes run on INT8 inputs, ${i.keptNodes} of the quantizable ones kept in FP32.
Agreement measured on the picture above, which calibration did not see.</p>
${table(
  ['', 'FP32', 'INT8'],
  [
    [
      'latency (median, onnxruntime CPU)',
      `${i.fp32Ms.toFixed(1)} ms`,
      `${i.int8Ms.toFixed(1)} ms (${i.speedup.toFixed(2)}x)`,
    ],
    ['text map IoU with FP32 (threshold 0.3)', '1', i.mapIou.toFixed(3)],
    ['text map cosine with FP32', '1', i.cosine.toFixed(4)],
    ['OCR character accuracy', pct(i.ocrAccuracy.fp32), pct(i.ocrAccuracy.int8)],
    ['OCR lines read the same as FP32', '', `${i.sameLines} of ${r.ocr.lines.length}`],
  ],
)}
<h2>Steps</h2>
${table(
  ['step', 'seconds'],
  r.steps.map((s) => [esc(s.name), s.seconds.toFixed(1)]),
)}
</body></html>
`;
}
