// Builds a package's optional native addon (native/binding.gyp) with node-gyp and copies it into
// the package's dist/native/, where its files and turbo's cached outputs include it. The addon is
// optional, so without a compiler this prints one line saying why it was skipped and returns;
// `strict` (CI) makes a failed build fail instead.
//
// node-gyp is given --nodedir=/usr-style headers when Node's own are installed there: under pnpm,
// node-gyp otherwise tries to download headers, and there may be no network.

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

function nodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  // Distribution packages of Node put the headers under <prefix>/include/node.
  const prefix = join(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

/**
 * @param {{ root: string, packageName: string, addon: string, fallback: string, strict?: boolean }} options
 *   root: the package folder; addon: the target name (file `<addon>.node`); fallback: what the
 *   package uses without the addon, for the message.
 */
export function buildNative({ root, packageName, addon, fallback, strict = false }) {
  const started = Date.now();
  const skip = (reason) => {
    // turbo caches this build as it is: once the reason is fixed, build:native (not turbo) rebuilds it.
    const line =
      `${packageName}: native addon not built (${reason}); ${fallback} will be used ` +
      `(once fixed, run \`pnpm --filter ${packageName} build:native\`: turbo would replay this build from its cache)`;
    if (strict) {
      console.error(line);
      process.exit(1);
    }
    console.log(line);
  };
  let gyp;
  try {
    gyp = createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    return skip('node-gyp is not installed');
  }
  const dir = nodeDir();
  const args = [gyp, 'rebuild', '--directory', 'native', '--jobs', 'max'];
  if (dir) args.push(`--nodedir=${dir}`);
  const env = { ...process.env };
  if (dir) env.npm_config_nodedir = dir;
  const result = spawnSync(process.execPath, args, { cwd: root, env, encoding: 'utf8' });
  if (result.error) return skip(`node-gyp could not run: ${result.error.message}`);
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}`;
    const first =
      output
        .split('\n')
        .find((l) => /error|not found|No such file|cannot find/i.test(l) && !/^gyp info/.test(l)) ??
      `node-gyp exited with ${result.status}`;
    if (strict) process.stderr.write(output);
    return skip(first.replace(/^gyp ERR! /, '').trim());
  }
  const built = join(root, 'native', 'build', 'Release', `${addon}.node`);
  if (!existsSync(built)) return skip(`node-gyp finished but ${built} is missing`);
  mkdirSync(join(root, 'dist', 'native'), { recursive: true });
  copyFileSync(built, join(root, 'dist', 'native', `${addon}.node`));
  console.log(
    `${packageName}: native addon built in ${((Date.now() - started) / 1000).toFixed(1)} s (${built})`,
  );
}
