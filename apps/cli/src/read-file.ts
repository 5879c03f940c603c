// Reading a file the user named on the command line.

import { readFileSync } from 'node:fs';
import { FileIOError } from '@edge/core';

/**
 * The bytes of a file named on the command line.
 *
 * @throws FileIOError naming the file and why it cannot be read.
 */
export function readNamedFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new FileIOError(
      `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      path,
      { cause: e },
    );
  }
}
