// Pages of rendered text whose truth is known: seeded random lines (words, numbers, punctuation)
// in DejaVu fonts at random sizes, positions and shades, some of them two to a row, one optionally
// upside down, each with its text and the box of its ink. A debug set and an evaluation set are
// drawn from disjoint halves of the vocabulary with different seeds, so nothing tuned on the one
// is reported on the other.

import { CJK_FONT, dejavu, type Glyphs, glyphs, rng } from '@edge/test-utils';
import sharp from 'sharp';

const LATIN_FONTS: readonly string[] = [
  'DejaVuSans.ttf',
  'DejaVuSerif.ttf',
  'DejaVuSansMono.ttf',
  'DejaVuSans-Bold.ttf',
].map(dejavu);

const WORDS =
  `time year people way day man thing woman life child world school state family student group country
problem hand part place case week company system program question work government number night point home water
room mother area money story fact month lot right study book eye job word business issue side kind head house
service friend father power hour game line end member law car city community name president team minute idea kid
body information back parent face others level office door health person art war history party result change
morning reason research girl guy moment air teacher force education foot boy age policy music market sense nation
plan college interest death experience effect class control care field development role effort rate heart drug show
leader light voice wife police mind price report decision son view relationship town road arm difference value
building action model season society tax director position player record paper space ground form event official
matter center couple site project activity star table need court oil situation cost industry figure street image
phone data picture practice piece land product doctor wall patient worker news test movie north love support
technology step baby computer type attention film tree source organization hair window evidence population site
river garden island engine camera signal bridge summer winter valley forest ocean planet energy battery glass metal
silver orange yellow purple circle square number letter symbol yellow station harbor ticket airport kitchen pocket`
    .split(/\s+/)
    .filter((w, i, all) => w !== '' && all.indexOf(w) === i);

/** Common Chinese characters (the PaddleOCR dictionary has them all). */
const HANZI = [
  ...'的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严',
];

export type TextSet = 'debug' | 'eval';

/** One rendered line: its text and the box of its ink on the page. */
export interface TruthLine {
  readonly text: string;
  readonly box: [number, number, number, number];
  readonly upsideDown: boolean;
}

export interface TextPage {
  readonly png: Buffer;
  readonly width: number;
  readonly height: number;
  readonly lines: readonly TruthLine[];
}

function phrase(rand: () => number, set: TextSet, script: 'latin' | 'cjk'): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const half = <T>(xs: readonly T[]) => xs.filter((_, i) => i % 2 === (set === 'debug' ? 0 : 1));
  if (script === 'cjk') {
    const chars = half(HANZI);
    return Array.from({ length: 3 + Math.floor(rand() * 8) }, () => pick(chars)).join('');
  }
  const words = half(WORDS);
  const n = 2 + Math.floor(rand() * 5);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = rand();
    let w = pick(words);
    if (r < 0.15) w = String(Math.floor(rand() * 10000));
    else if (r < 0.3) w = w[0]!.toUpperCase() + w.slice(1);
    else if (r < 0.35) w = w.toUpperCase();
    parts.push(w);
  }
  const end = rand();
  return parts.join(' ') + (end < 0.2 ? '.' : end < 0.3 ? ',' : end < 0.35 ? ':' : end < 0.4 ? '!' : '');
}

/**
 * `count` pages of about `lines` lines each, drawn from `set` with `seed`: dark text of random
 * shade on a light page, font and size random per row, half the rows with a second phrase beside
 * the first (far enough apart to be two boxes).
 *
 * @param upsideDown - Turn the first phrase of one row of every page half a turn.
 */
export async function textPages(
  set: TextSet,
  seed: number,
  count: number,
  options: {
    lines?: number;
    script?: 'latin' | 'cjk';
    upsideDown?: boolean;
    width?: number;
    height?: number;
  } = {},
): Promise<TextPage[]> {
  const rand = rng(seed);
  const W = options.width ?? 960;
  const H = options.height ?? 720;
  const script = options.script ?? 'latin';
  const wanted = options.lines ?? 7;
  const pages: TextPage[] = [];
  for (let p = 0; p < count; p++) {
    const bg = 215 + Math.floor(rand() * 41);
    const page = new Uint8Array(W * H).fill(bg);
    const lines: TruthLine[] = [];
    const put = (g: Glyphs, left: number, top: number, ink: number, text: string, upsideDown: boolean) => {
      let box: [number, number, number, number] = [
        Number.POSITIVE_INFINITY,
        Number.POSITIVE_INFINITY,
        -1,
        -1,
      ];
      for (let y = 0; y < g.height; y++) {
        for (let x = 0; x < g.width; x++) {
          const a = g.alpha[(y * g.width + x) * g.channels]!;
          if (a === 0) continue;
          const i = (top + y) * W + left + x;
          page[i] = Math.min(page[i]!, Math.round(bg + ((ink - bg) * a) / 255));
          if (a > 64)
            box = [
              Math.min(box[0], left + x),
              Math.min(box[1], top + y),
              Math.max(box[2], left + x + 1),
              Math.max(box[3], top + y + 1),
            ];
        }
      }
      lines.push({ text, box, upsideDown });
    };
    const turnRow = options.upsideDown ? 1 + Math.floor(rand() * Math.max(wanted - 2, 1)) : -1;
    let y = 20 + Math.floor(rand() * 20);
    for (let row = 0; lines.length < wanted; row++) {
      const font = script === 'cjk' ? CJK_FONT : LATIN_FONTS[Math.floor(rand() * LATIN_FONTS.length)]!;
      const dpi = 90 + Math.floor(rand() * 90);
      const ink = Math.floor(rand() * 90);
      const text = phrase(rand, set, script);
      const g = await glyphs(text, font, dpi, row === turnRow ? 180 : 0);
      if (y + g.height > H - 10 || g.width > W - 40) break;
      const x = 20 + Math.floor(rand() * Math.min(60, W - 40 - g.width));
      put(g, x, y, ink, text, row === turnRow);
      if (row !== turnRow && rand() < 0.5 && lines.length < wanted) {
        const text2 = phrase(rand, set, script);
        const g2 = await glyphs(text2, font, dpi, 0);
        const x2 = x + g.width + Math.max(60, 3 * g.height) + Math.floor(rand() * 60);
        if (x2 + g2.width <= W - 20)
          put(g2, x2, y + Math.floor((g.height - g2.height) / 2), ink, text2, false);
      }
      y += g.height + 15 + Math.floor(rand() * 25);
    }
    const png = await sharp(page, { raw: { width: W, height: H, channels: 1 } })
      .png()
      .toBuffer();
    pages.push({ png, width: W, height: H, lines });
  }
  return pages;
}

/** Edit distance (insertions, deletions, substitutions) between two strings, by code point. */
export function editDistance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[y.length]!;
}

/** How well lines read from a page match its truth. */
export interface PageScore {
  /** Characters of the truth lines. */
  chars: number;
  /** Edits from the lines read to the truth: matched lines' edit distances, plus every character of a line missed or invented. */
  edits: number;
  /** IoU of each truth line's box with its match's (0 when missed). */
  ious: number[];
  /** Lines read that match no truth line. */
  extra: number;
}

const boxIou = (a: readonly number[], b: readonly number[]) => {
  const w = Math.max(0, Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!));
  const h = Math.max(0, Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!));
  const inter = w * h;
  return inter / ((a[2]! - a[0]!) * (a[3]! - a[1]!) + (b[2]! - b[0]!) * (b[3]! - b[1]!) - inter);
};

/** Matches lines read to truth lines by box IoU (greedy, best pair first, IoU > 0.3) and counts the edits. */
export function scorePage(
  truth: readonly TruthLine[],
  read: readonly { text: string; box: readonly number[] }[],
): PageScore {
  const pairs: [number, number, number][] = [];
  truth.forEach((t, i) => {
    read.forEach((r, j) => {
      const v = boxIou(t.box, r.box);
      if (v > 0.3) pairs.push([v, i, j]);
    });
  });
  pairs.sort((a, b) => b[0] - a[0]);
  const match = new Map<number, number>();
  const used = new Set<number>();
  const ious = truth.map(() => 0);
  for (const [v, i, j] of pairs) {
    if (match.has(i) || used.has(j)) continue;
    match.set(i, j);
    used.add(j);
    ious[i] = v;
  }
  let edits = 0;
  let chars = 0;
  truth.forEach((t, i) => {
    chars += [...t.text].length;
    const j = match.get(i);
    edits += j === undefined ? [...t.text].length : editDistance(read[j]!.text, t.text);
  });
  const extra = read.filter((_, j) => !used.has(j));
  edits += extra.reduce((n, r) => n + [...r.text].length, 0);
  return { chars, edits, ious, extra: extra.length };
}
