/** The names `indexFile` exports as types only, sorted. */
export function typeOnlyExports(indexFile: URL | string): string[];
