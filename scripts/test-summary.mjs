// Adds up the vitest JSON reports of every package and prints one closing line,
// `tests: N passed, N failed, N skipped`, followed by the reasons skipped tests give in their
// titles (`... (skipped: REASON)`); exits non-zero when a test failed or none ran.
// `node scripts/test-summary.mjs clean` removes old reports before a run.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const reports = ['packages', 'apps']
  .map((top) => join(root, top))
  .filter((base) => existsSync(base))
  .flatMap((base) => readdirSync(base).map((d) => join(base, d, '.test-results.json')));

if (process.argv[2] === 'clean') {
  for (const f of reports) rmSync(f, { force: true });
  process.exit(0);
}

const total = { passed: 0, failed: 0, skipped: 0 };
const reasons = new Set();
for (const f of reports.filter((r) => existsSync(r))) {
  const r = JSON.parse(readFileSync(f, 'utf8'));
  total.passed += r.numPassedTests;
  total.failed += r.numFailedTests;
  total.skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  for (const a of (r.testResults ?? []).flatMap((t) => t.assertionResults ?? [])) {
    if (a.status !== 'skipped' && a.status !== 'pending') continue;
    const why = [...(a.ancestorTitles ?? []), a.title]
      .map((t) => /\(skipped: (.+)\)$/.exec(t)?.[1])
      .find(Boolean);
    if (why) reasons.add(why);
  }
}
const why = reasons.size > 0 ? ` (${[...reasons].join('; ')})` : '';
console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped${why}`);
process.exit(total.failed > 0 || total.passed === 0 ? 1 : 0);
