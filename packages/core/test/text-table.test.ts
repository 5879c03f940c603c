import { expect, it } from 'vitest';
import { formatTable } from '../src/index.js';

it('aligns columns, right-aligns the chosen ones and trims trailing spaces', () => {
  const rows = [
    ['name', 'ms', 'note'],
    ['conv', '1.25', ''],
    ['resize-long', '10.5', 'slow'],
  ];
  expect(formatTable(rows, { right: [1] })).toBe(
    ['name           ms  note', 'conv         1.25', 'resize-long  10.5  slow'].join('\n'),
  );
  expect(formatTable(rows, { right: (c) => c > 0, gap: 1, indent: '  ' })).toBe(
    ['  name          ms note', '  conv        1.25', '  resize-long 10.5 slow'].join('\n'),
  );
});

it('takes rows of different lengths and no rows', () => {
  expect(formatTable([['a'], ['bb', 'c']])).toBe('a\nbb  c');
  expect(formatTable([])).toBe('');
});
