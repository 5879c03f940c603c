// Builds the optional native kernel (native/binding.gyp) with node-gyp and copies the addon into
// dist/native/, where the package's files and turbo's cached outputs include it. The native kernel
// is optional, so without a compiler this prints one line saying why it was skipped and exits 0;
// `--strict` (used by CI) makes a failed build fail instead.
//
// node-gyp is given --nodedir=/usr-style headers when Node's own are installed there: under pnpm,
// node-gyp otherwise tries to download headers, and there may be no network.

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const strict = process.argv.includes('--strict');
const started = Date.now();

function nodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  // Distribution packages of Node put the headers under <prefix>/include/node.
  const prefix = join(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

function skip(reason) {
  // turbo caches this build as it is: once the reason is fixed, build:native (not turbo) rebuilds it.
  const line =
    `@edge/preprocess: native kernel not built (${reason}); the TypeScript kernel will be used ` +
    '(once fixed, run `pnpm --filter @edge/preprocess build:native`: turbo would replay this build from its cache)';
  if (strict) {
    console.error(line);
    process.exit(1);
  }
  console.log(line);
  process.exit(0);
}

let gyp;
try {
  gyp = createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
} catch {
  skip('node-gyp is not installed');
}
const dir = nodeDir();
const args = [gyp, 'rebuild', '--directory', 'native', '--jobs', 'max'];
if (dir) args.push(`--nodedir=${dir}`);
const env = { ...process.env };
if (dir) env.npm_config_nodedir = dir;
const result = spawnSync(process.execPath, args, { cwd: root, env, encoding: 'utf8' });
if (result.error) skip(`node-gyp could not run: ${result.error.message}`);
if (result.status !== 0) {
  const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}`;
  const first =
    output
      .split('\n')
      .find((l) => /error|not found|No such file|cannot find/i.test(l) && !/^gyp info/.test(l)) ??
    `node-gyp exited with ${result.status}`;
  if (strict) process.stderr.write(output);
  skip(first.replace(/^gyp ERR! /, '').trim());
}
const built = join(root, 'native', 'build', 'Release', 'edge_preprocess.node');
if (!existsSync(built)) skip(`node-gyp finished but ${built} is missing`);
mkdirSync(join(root, 'dist', 'native'), { recursive: true });
copyFileSync(built, join(root, 'dist', 'native', 'edge_preprocess.node'));
console.log(
  `@edge/preprocess: native kernel built in ${((Date.now() - started) / 1000).toFixed(1)} s (${built})`,
);
