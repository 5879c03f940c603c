// Adds up the vitest JSON reports of every package and prints one closing line,
// `tests: N passed, N failed, N skipped`; exits non-zero when a test failed or none ran.
// `node scripts/test-summary.mjs clean` removes old reports before a run.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const reports = ['packages', 'apps']
  .map((top) => join(root, top))
  .filter((base) => existsSync(base))
  .flatMap((base) => readdirSync(base).map((d) => join(base, d, '.test-results.json')))
  .concat(join(root, 'examples', '.test-results.json'));

if (process.argv[2] === 'clean') {
  for (const f of reports) rmSync(f, { force: true });
  process.exit(0);
}

const total = { passed: 0, failed: 0, skipped: 0 };
for (const f of reports.filter((r) => existsSync(r))) {
  const r = JSON.parse(readFileSync(f, 'utf8'));
  total.passed += r.numPassedTests;
  total.failed += r.numFailedTests;
  // A file that fails outside any test (an import, a beforeAll) reports its tests as skipped:
  // count the file itself as a failure, or the line would say 0 failed.
  for (const file of r.testResults ?? []) {
    const failedInside = (file.assertionResults ?? []).some((a) => a.status === 'failed');
    if (file.status === 'failed' && !failedInside) {
      total.failed += 1;
      console.log(`failed outside its tests: ${file.name}: ${String(file.message).split('\n')[0]}`);
    }
  }
  total.skipped += r.numPendingTests + (r.numTodoTests ?? 0);
}
console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(total.failed > 0 || total.passed === 0 ? 1 : 0);
