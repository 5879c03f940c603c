/** The names `indexFile` exports as types only, sorted. */
export function typeOnlyExports(indexFile: URL | string): string[];

/**
 * Compares the runtime and type-only names of each entry module with `exports.snap.txt` beside
 * the test (written by `vitest run -u`).
 *
 * @param entries the imported entry modules by their source file relative to the test
 * @param testUrl the test's `import.meta.url`
 */
export function expectExports(entries: Record<string, object>, testUrl: string): Promise<void>;
