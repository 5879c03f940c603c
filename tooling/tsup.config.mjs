// One build recipe for every package: ESM + CJS + .d.ts from the listed entries.
import { defineConfig } from 'tsup';

/** @param {{ entry?: Record<string, string> | string[], bin?: boolean }} [opts] */
export function packageConfig(opts = {}) {
  return defineConfig({
    entry: opts.entry ?? ['src/index.ts'],
    format: opts.bin ? ['esm'] : ['esm', 'cjs'],
    dts: !opts.bin,
    sourcemap: true,
    clean: true,
    target: 'node20',
    // Bins are ESM only; splitting keeps each command's imports in its own chunk, loaded on use.
    splitting: !!opts.bin,
    treeshake: true,
  });
}
