/** The file name of a Node-API build for glibc, as prebuildify names it. */
export const PREBUILD_FILE: string;

/** The architectures prebuilds are made for, in build order: `x64`, `arm64`. */
export const ARCHES: readonly string[];

/** One build of the package's binding.gyp target. */
export interface PrebuildVariant {
  /** File name inside `prebuilds/linux-<arch>/`; must end in `.node`. */
  file: string;
  /** gyp variables for this build (read by binding.gyp's conditions and `<(name)` references). */
  variables?: Record<string, string>;
  /** What this variant is, for the log line. */
  label?: string;
}

/** Options of {@link buildPrebuilds}. */
export interface PrebuildOptions {
  /** The package's name, for messages and the `pnpm --filter` hint. */
  packageName: string;
  /** The package folder (holding native/binding.gyp and native/src). */
  root: string;
  /** Architectures to build; default {@link ARCHES}. */
  arches?: readonly string[];
  /** A missing compiler or header is an error, not a skip. */
  strict?: boolean;
  /** Keeps a prebuild newer than every input. */
  ifStale?: boolean;
  /** Builds per architecture; default one plain build named {@link PREBUILD_FILE}. */
  variants?: readonly PrebuildVariant[];
  /** More files whose change makes a prebuild stale (the calling script). */
  inputs?: readonly string[];
  /** What the package does without a prebuild, for skip lines. */
  fallback: string;
}

/** What {@link buildPrebuilds} did. */
export interface PrebuildResult {
  built: { arch: string; file: string; path: string; bytes: number }[];
  kept: { arch: string; file: string; path: string }[];
  skipped: { arch: string; reason: string }[];
}

/** `--arch x64,arm64`, `--strict`, `--if-stale` from a script's arguments. */
export function prebuildFlags(argv: readonly string[]): {
  arches: string[];
  strict: boolean;
  ifStale: boolean;
};

/** Builds the prebuilds of one package (see prebuild.mjs). */
export function buildPrebuilds(options: PrebuildOptions): Promise<PrebuildResult>;
