// Runs once per vitest run, before any test module is imported: makes sure the test data is there
// (scripts/test-data.sh, unless `npm test` already ran it), then checks every requirement once and
// hands the result to the tests, whose requires() reads it with inject('edgeRequirements').
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { checkRequirements, isCI, REPO_ROOT, readRequirements } from './test-data.mjs';

/** @param {import('vitest/node').TestProject} project */
export default function setup(project) {
  const requirements = readRequirements();
  let met = checkRequirements(requirements);
  const fetchable = requirements.filter((r) => (r.how === 'apt' || r.how === 'fetch') && !met[r.id]);
  if (fetchable.length > 0 && process.env.EDGE_TEST_DATA_DONE !== '1') {
    // stdin closed: sudo cannot stop to ask for a password in the middle of a test run.
    const r = spawnSync('bash', [join(REPO_ROOT, 'scripts/test-data.sh')], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (r.status !== 0 && isCI()) {
      throw new Error(`scripts/test-data.sh failed (exit ${r.status}) and CI=true: see its message above`);
    }
    met = checkRequirements(requirements);
  }
  project.provide('edgeRequirements', met);
}
