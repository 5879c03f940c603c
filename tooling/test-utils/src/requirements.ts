// Tests declare what they need beyond npm (tooling/test-requirements.txt) with requires(): met, the
// test runs; missing on a local run, it is skipped and its reason lands in the closing line of
// `npm test`; missing under CI=true, the test file fails with the command that installs it. An
// optional requirement (not in Debian, never required) is skipped even under CI.
import {
  checkRequirements,
  installHint,
  isCI,
  type Requirement,
  readRequirements,
} from '@edge/tooling/test-data';
import { inject, type TestOptions } from 'vitest';

declare module 'vitest' {
  interface ProvidedContext {
    /** Which requirements this machine meets, checked once by the global setup. */
    edgeRequirements: Record<string, boolean>;
  }
  interface TaskMeta {
    /** Why the test is skipped; scripts/test-summary.mjs counts skips by it. */
    skipReason?: string;
  }
}

/** A requirement that is missing where it may not be (CI=true); the message says how to install it. */
export class MissingRequirementError extends Error {
  override readonly name = 'MissingRequirementError';
}

let table: Map<string, Requirement> | undefined;
let met: Record<string, boolean> | undefined;

/** The requirement with this id, from tooling/test-requirements.txt. */
export function requirement(id: string): Requirement {
  table ??= new Map(readRequirements().map((r) => [r.id, r]));
  const r = table.get(id);
  if (r === undefined) {
    throw new Error(`unknown test requirement '${id}': known are ${[...table.keys()].join(', ')}`);
  }
  return r;
}

/** Whether this machine meets the requirement (as the global setup found it, or checked now). */
export function isMet(id: string): boolean {
  requirement(id);
  // Outside the shared vitest config (no global setup), check here, once per test file.
  met ??= inject('edgeRequirements') ?? checkRequirements();
  return met[id] === true;
}

/** One line: what is missing, what it is for, how to get it. */
export function missingMessage(r: Requirement): string {
  return `${r.id} is missing (${r.purpose}): ${installHint(r)}`;
}

/**
 * Options for `it`/`describe` that declare what the tests need: `{}` when every requirement is met;
 * a skip with the reason on a local run or for an optional requirement.
 *
 * @throws {@link MissingRequirementError} under CI=true when a required one is missing, so the test
 * file fails with the command that installs it.
 */
export function requires(...ids: string[]): TestOptions {
  return optionsFor(
    ids.map(requirement).filter((r) => !isMet(r.id)),
    isCI(),
  );
}

/** What {@link requires} decides for these missing requirements, on CI or not. */
export function optionsFor(missing: readonly Requirement[], ci: boolean): TestOptions {
  if (missing.length === 0) return {};
  const required = missing.filter((r) => r.how !== 'optional');
  if (ci && required.length > 0) {
    throw new MissingRequirementError(`CI=true and ${required.map(missingMessage).join('; ')}`);
  }
  const reason = missing
    .map((r) => (r.how === 'optional' ? `optional, ${missingMessage(r)}` : missingMessage(r)))
    .join('; ');
  return { skip: true, meta: { skipReason: reason } };
}
