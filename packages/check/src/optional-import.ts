// Backend packages are optional (design: whichever are installed), so they are imported by name
// when first needed. A missing package is an expected state with a fix, not an error.

import { isModuleNotFound } from '@edge/core';

/** A package's module, or why it is not available here, in words with the fix. */
export type OptionalModule = { readonly module: Record<string, unknown> } | { readonly absent: string };

/** Imports `specifier`; a missing or broken package comes back as the reason, never as a throw. */
export async function importOptional(specifier: string): Promise<OptionalModule> {
  try {
    return { module: (await import(specifier)) as Record<string, unknown> };
  } catch (e) {
    if (isModuleNotFound(e, specifier)) {
      return { absent: `${specifier} is not installed (npm install ${specifier})` };
    }
    const message = (e as Error)?.message ?? String(e);
    return { absent: `${specifier} failed to load: ${message.split('\n')[0]}` };
  }
}
