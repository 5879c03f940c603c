// Checks, from the headers alone, the ABI promise the prebuilds rely on (scripts/build-native.mjs):
// an addon compiled against the oldest headers of a TensorRT major keeps working with a newer
// library of the same major. The addon reaches TensorRT only through virtual calls, so what must
// hold is:
//   - every class it calls (IBuilder, INetworkDefinition, the apiv::V* implementation classes
//     behind them, IParser, ...) keeps the slots of the older headers, in order, with new methods
//     only after them, and keeps its data members (the pimpl pointer the inline methods read);
//   - every class it implements for TensorRT to call (ILogger, the INT8 calibrator, the progress
//     monitor) is unchanged, since the library would call a slot the addon's object lacks.
// A slot is compared by method name and number of parameters (a changed parameter type of the same
// arity is not seen: that would be a source-incompatible change NVIDIA makes only at a major).
//
// It reads class bodies with a small scanner (comments and preprocessor lines dropped, one level
// of class body, virtual declarations and data members in order), good for NVIDIA's header style,
// not a C++ parser. The safety runtime and the consistency checker are skipped: the addon uses
// neither, and their classes reuse names of the main API.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const SKIPPED_FILES = /^NvInferSafe|^NvInferConsistency|^NvCaffeParser|^NvUffParser/;

function strip(source) {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\/\/.*$/gm, ' ')
    .replace(/^\s*#.*$/gm, ' ');
}

function arity(params) {
  const p = params.trim();
  if (p === '' || p === 'void') return 0;
  let depth = 0;
  let n = 1;
  for (const c of p) {
    if ('(<['.includes(c)) depth++;
    else if (')>]'.includes(c)) depth--;
    else if (c === ',' && depth === 0) n++;
  }
  return n;
}

/** `virtual R name(params) ...` to `name/arity` (`~/0` for a destructor). */
function slotOf(statement) {
  const s = statement.replace(/\s+/g, ' ').trim();
  const m = /(~?\w+)\s*\(([^)]*(?:\([^)]*\)[^)]*)*)\)/.exec(s.slice(s.indexOf('virtual') + 7));
  if (!m) return undefined;
  return m[1].startsWith('~') ? '~/0' : `${m[1]}/${arity(m[2])}`;
}

/** A data member declaration (`apiv::VBuilder* mImpl`) to its type and name, else undefined. */
function fieldOf(statement) {
  const s = statement.replace(/\s+/g, ' ').trim();
  if (
    s === '' ||
    /[()]/.test(s) ||
    /^(using|typedef|friend|static|enum|class|struct|template|constexpr)\b/.test(s)
  )
    return undefined;
  const m = /^(.+?)\s*\b(\w+)\s*(\[[^\]]*\])?\s*(=.*)?$/.exec(s);
  return m ? `${m[1].replace(/\s+/g, '')} ${m[2]}` : undefined;
}

/** Every class of the headers in `dir`: base, own virtual slots and data members, in order. */
function readClasses(dir) {
  const classes = new Map();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.h') && !SKIPPED_FILES.test(f))) {
    const src = strip(readFileSync(join(dir, file), 'utf8'));
    const head = /\b(?:class|struct)\s+(?:[A-Z_]+\s+)*(\w+)\s*(?:final\s*)?(?::\s*([^{;]*))?\{/g;
    for (let m = head.exec(src); m !== null; m = head.exec(src)) {
      const [, name, bases] = m;
      const own = [];
      const fields = [];
      let depth = 1;
      let statement = '';
      let i = head.lastIndex;
      for (; i < src.length && depth > 0; i++) {
        const c = src[i];
        if (c === '{') {
          if (depth === 1 && /\bvirtual\b/.test(statement)) own.push(slotOf(statement));
          depth++;
          continue;
        }
        if (c === '}') {
          depth--;
          if (depth === 1) statement = '';
          continue;
        }
        if (depth !== 1) continue;
        if (c === ';') {
          if (/\bvirtual\b/.test(statement)) own.push(slotOf(statement));
          else {
            const f = fieldOf(statement);
            if (f) fields.push(f);
          }
          statement = '';
        } else if (c === ':' && /^\s*(public|protected|private)\s*$/.test(statement)) statement = '';
        else statement += c;
      }
      head.lastIndex = i;
      const base = bases ? /(?:public\s+)?([\w:]+)/.exec(bases.trim())?.[1]?.split('::').pop() : undefined;
      classes.set(name, { base, own: own.filter(Boolean), fields });
    }
  }
  return classes;
}

/** A class's slots, inherited first; an override of a base slot adds none. */
function slots(classes, name, seen = new Set()) {
  const c = classes.get(name);
  if (c === undefined || seen.has(name)) return [];
  seen.add(name);
  const list = c.base ? slots(classes, c.base, seen) : [];
  for (const s of c.own) if (!list.includes(s)) list.push(s);
  return list;
}

function fields(classes, name, seen = new Set()) {
  const c = classes.get(name);
  if (c === undefined || seen.has(name)) return [];
  seen.add(name);
  return [...(c.base ? fields(classes, c.base, seen) : []), ...c.fields];
}

function withBases(classes, names) {
  const out = new Set();
  for (let n of names) {
    while (n !== undefined && classes.has(n) && !out.has(n)) {
      out.add(n);
      n = classes.get(n).base;
    }
  }
  return out;
}

/**
 * TensorRT classes the sources in `srcDir` name: those they call (and the apiv classes behind
 * them), and those they derive from.
 */
export function classesUsed(srcDir) {
  const text = readdirSync(srcDir)
    .filter((f) => /\.(cc|h)$/.test(f))
    .map((f) => readFileSync(join(srcDir, f), 'utf8'))
    .join('\n');
  const implemented = new Set(
    [...text.matchAll(/public\s+nv(?:infer1|onnxparser)::(\w+)/g)].map((m) => m[1]),
  );
  const named = new Set([...text.matchAll(/nv(?:infer1|onnxparser)::(I\w+)/g)].map((m) => m[1]));
  const called = [...named].filter((n) => !implemented.has(n));
  return { called: [...called, ...called.map((n) => `V${n.slice(1)}`)], implemented: [...implemented] };
}

/**
 * Compares the classes the addon uses between two header folders of one major. Returns the
 * problems (empty when the newer headers keep the older ABI) and counts for the report.
 */
export function compareVtables(olderDir, newerDir, used) {
  const older = readClasses(olderDir);
  const newer = readClasses(newerDir);
  const problems = [];
  let kept = 0;
  let grown = 0;
  const check = (name, exact) => {
    if (!newer.has(name)) {
      problems.push(`${name}: missing from the newer headers`);
      return;
    }
    const a = slots(older, name);
    const b = slots(newer, name);
    const at = a.findIndex((s, i) => s !== b[i]);
    if (at >= 0)
      problems.push(
        `${name}: vtable slot ${at} is ${a[at]} in the older headers, ${b[at] ?? 'absent'} in the newer`,
      );
    else if (exact && b.length !== a.length)
      problems.push(
        `${name}: the addon implements it, and the newer headers add ${b.slice(a.length).join(', ')}`,
      );
    const fa = fields(older, name);
    const fb = fields(newer, name);
    if (fa.some((f, i) => f !== fb[i]) || (exact && fa.length !== fb.length))
      problems.push(`${name}: data members ${fa.join(', ') || 'none'} became ${fb.join(', ') || 'none'}`);
    if (at < 0) b.length > a.length ? grown++ : kept++;
  };
  const present = (names) => [
    ...withBases(
      older,
      names.filter((n) => older.has(n)),
    ),
  ];
  const called = present(used.called);
  const implemented = present(used.implemented);
  for (const name of called) check(name, false);
  for (const name of implemented) check(name, true);
  return { problems, called: called.length, implemented: implemented.length, kept, grown };
}
