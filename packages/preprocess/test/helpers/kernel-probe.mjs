// Runs inside a consumer project (copied there by test/prebuilds.test.ts), by this machine's Node
// or by the arm64 Node under qemu: loads @edge/preprocess's native kernel as an installed package
// does, runs the jobs of a file through it and through the scalar reference kernel, and writes
// both outputs, so the test can compare them with each other and with the x64 results.
//
//   node kernel-probe.mjs <jobs.bin> <outputs.bin>
// jobs.bin: uint32 LE header length, the JSON header { jobs: [job without src/dst, plus srcLength
// and dstLength] }, then every job's source bytes. outputs.bin: every job's native output, then
// every job's reference output (destinations start zeroed). Prints one JSON line: the kernel's
// status and the time each kernel took.

import { readFileSync, writeFileSync } from 'node:fs';
import { nativeKernelStatus } from '@edge/preprocess';
import { loadNativeKernel, runReferenceKernel } from '@edge/preprocess/kernel';

const ARRAYS = { float32: Float32Array, float16: Uint16Array, uint8: Uint8Array, int8: Int8Array };

const [jobsFile, outFile] = process.argv.slice(2);
const bytes = readFileSync(jobsFile);
const headerLength = bytes.readUInt32LE(0);
const { jobs: specs } = JSON.parse(bytes.subarray(4, 4 + headerLength).toString('utf8'));
let offset = 4 + headerLength;
const jobs = specs.map(({ srcLength, dstLength, ...job }) => {
  const src = new Uint8Array(bytes.buffer, bytes.byteOffset + offset, srcLength).slice();
  offset += srcLength;
  return { ...job, src, dst: new ARRAYS[job.dtype](dstLength) };
});

const status = nativeKernelStatus();
const kernel = loadNativeKernel();
if (kernel === undefined) {
  console.log(JSON.stringify({ status }));
  process.exit(0);
}
let started = performance.now();
const native = jobs.map((job) => {
  const dst = new ARRAYS[job.dtype](job.dst.length);
  kernel.run({ ...job, dst });
  return dst;
});
const nativeMs = performance.now() - started;
started = performance.now();
const reference = jobs.map((job) => {
  runReferenceKernel(job);
  return job.dst;
});
const referenceMs = performance.now() - started;
writeFileSync(
  outFile,
  Buffer.concat([...native, ...reference].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))),
);
console.log(JSON.stringify({ status, nativeMs, referenceMs }));
