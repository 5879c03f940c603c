// Run by test/arm64.test.ts with this machine's Node and with the arm64 Node under qemu: reads each
// model given with @edge/onnx-parse (weights too), infers shapes, converts it (batch 1, constants
// folded into initializers, Identity dropped) and writes it back, and prints one JSON line per
// model: its summary, the edits made, and the SHA-256 of the written bytes. Equal lines on both
// architectures mean equal decoding, arithmetic and encoding.

import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { convertModel, readModelFile, summarizeModel, writeModel } from '@edge/onnx-parse';

for (const path of process.argv.slice(2)) {
  const model = readModelFile(path, { payloads: 'eager' });
  const { model: converted, changes } = convertModel(model, {
    batch: 1,
    foldConstants: true,
    constantsToInitializers: true,
    dropIdentity: true,
  });
  const written = writeModel(converted);
  console.log(
    JSON.stringify({
      model: basename(path),
      summary: summarizeModel(converted, { top: 5 }),
      changes: changes.length,
      bytes: written.length,
      sha256: createHash('sha256').update(written).digest('hex'),
    }),
  );
}
