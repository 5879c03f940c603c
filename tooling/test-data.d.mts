/** One line of test-requirements.txt. */
export interface Requirement {
  /** The name tests pass to requires(). */
  id: string;
  /** apt: apt-get install; fetch: downloaded into .cache/test-data; manual: by hand; optional: never required. */
  how: 'apt' | 'fetch' | 'manual' | 'optional';
  /** Debian packages (apt, fetch), or what to do by hand. */
  install: string;
  /** A bash command, run from the repository root, that exits 0 when the requirement is met. */
  check: string;
  /** What the tests use it for. */
  purpose: string;
}

/** The repository root (no trailing slash). */
export const REPO_ROOT: string;
/** Every requirement of test-requirements.txt, in file order. */
export function readRequirements(): Requirement[];
/** True when the environment says this is a CI run (CI=true or CI=1). */
export function isCI(): boolean;
/** Which requirements this machine meets, by id. */
export function checkRequirements(requirements?: Requirement[]): Record<string, boolean>;
/** What to run (or do) to satisfy a requirement. */
export function installHint(requirement: Requirement): string;
