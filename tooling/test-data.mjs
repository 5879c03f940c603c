// The test requirements of test-requirements.txt: read, checked on this machine, and described with
// the command that installs each. Shared by the vitest global setup (which checks once per run and
// hands the result to the tests) and @edge/test-utils' requires().
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

const HOW = ['apt', 'fetch', 'manual', 'optional'];

/** @returns {import('./test-data.d.mts').Requirement[]} */
export function readRequirements() {
  const file = fileURLToPath(new URL('./test-requirements.txt', import.meta.url));
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line, i) => [line.trim(), i + 1])
    .filter(([line]) => line !== '' && !line.startsWith('#'))
    .map(([line, n]) => {
      const fields = line.split(' | ').map((f) => f.trim());
      const [id, how, install, check, purpose] = fields;
      if (fields.length !== 5 || !HOW.includes(how)) {
        throw new Error(
          `test-requirements.txt line ${n}: expected "id | ${HOW.join('/')} | ... | check | purpose"`,
        );
      }
      return { id, how, install, check, purpose };
    });
}

/** True when the environment says this is a CI run (CI=true or CI=1). */
export function isCI() {
  return process.env.CI === 'true' || process.env.CI === '1';
}

/**
 * Runs every requirement's check (in parallel, from the repository root) and returns which are met.
 * @returns {Record<string, boolean>}
 */
export function checkRequirements(requirements = readRequirements()) {
  const script = requirements.map((r, i) => `( ${r.check} ) >/dev/null 2>&1 && echo ${i} &`).join('\n');
  const out = spawnSync('bash', ['-c', `${script}\nwait`], { cwd: REPO_ROOT, encoding: 'utf8' });
  const met = new Set(out.stdout.split('\n').filter(Boolean).map(Number));
  return Object.fromEntries(requirements.map((r, i) => [r.id, met.has(i)]));
}

/** What to run (or do) to satisfy a requirement. */
export function installHint(requirement) {
  switch (requirement.how) {
    case 'apt':
      return `sudo apt-get install -y ${requirement.install} (or bash scripts/test-data.sh)`;
    case 'fetch':
      return `bash scripts/test-data.sh (apt-get download ${requirement.install}, unpacked into .cache/test-data)`;
    default:
      return requirement.install;
  }
}
