// Prints trtStatus() of the built package as one JSON line. Run in a child process by Node of
// either architecture (the arm64 one under qemu): a process holds one addon and one libnvinfer, so
// each machine set-up gets a process of its own.
const { trtStatus } = await import(new URL('../../dist/index.js', import.meta.url).href);
process.stdout.write(`${JSON.stringify(trtStatus())}\n`);
