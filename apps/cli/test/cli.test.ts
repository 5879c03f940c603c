// The `edge` command itself: its help lists every command, and the package says the same.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { CLI } from './helpers/edge.js';

const here = dirname(fileURLToPath(import.meta.url));

it("lists in the package description exactly the commands 'edge --help' lists", () => {
  const r = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  const lines = r.stdout.split('\n');
  const start = lines.indexOf('commands:') + 1;
  const rows = lines.slice(start, lines.indexOf('', start));
  // One aligned table: every summary starts in the same column.
  expect(new Set(rows.map((l) => l.search(/(?<=\S {2,})\S/))).size).toBe(1);
  const commands = rows.map((l) => l.trim().split(/\s+/)[0]);
  expect(commands.length).toBeGreaterThanOrEqual(9);
  const { description } = JSON.parse(readFileSync(join(here, '../package.json'), 'utf8'));
  expect(description).toBe(`The edge command: ${commands.join(', ')}`);
});
