// Adds up the vitest JSON reports of every package and prints one closing line,
// `tests: N passed, N failed, N skipped (reasons: ...)`: each skip counted under the reason its test
// declared with requires() (test-requirements.txt), or as "no reason given". Test files that failed
// to load (a missing requirement under CI=true) count as failed too. Exits non-zero when a test
// failed or none ran. `node scripts/test-summary.mjs clean` removes old reports before a run.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const reports = ['packages', 'apps', 'tooling']
  .map((top) => join(root, top))
  .filter((base) => existsSync(base))
  .flatMap((base) =>
    readdirSync(base, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => join(base, d.name, '.test-results.json')),
  )
  .concat(join(root, 'examples', '.test-results.json'));

if (process.argv[2] === 'clean') {
  for (const f of reports) rmSync(f, { force: true });
  process.exit(0);
}

const total = { passed: 0, failed: 0, skipped: 0, unloaded: 0 };
const reasons = new Map();
for (const f of reports.filter((r) => existsSync(r))) {
  const r = JSON.parse(readFileSync(f, 'utf8'));
  total.passed += r.numPassedTests;
  total.failed += r.numFailedTests;
  for (const file of r.testResults) {
    if (file.status === 'failed' && !file.assertionResults.some((t) => t.status === 'failed'))
      total.unloaded++;
    for (const t of file.assertionResults) {
      if (t.status !== 'skipped' && t.status !== 'pending' && t.status !== 'todo') continue;
      total.skipped++;
      const reason = t.meta?.skipReason ?? 'no reason given';
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
  }
}
const failed = total.failed + total.unloaded;
const files =
  total.unloaded > 0 ? ` (${total.unloaded} test file${total.unloaded > 1 ? 's' : ''} failed to load)` : '';
const why = [...reasons].map(([reason, n]) => `${n} x ${reason}`).join('; ');
console.log(
  `tests: ${total.passed} passed, ${failed} failed${files}, ${total.skipped} skipped${why ? ` (reasons: ${why})` : ''}`,
);
process.exit(failed > 0 || total.passed === 0 ? 1 : 0);
