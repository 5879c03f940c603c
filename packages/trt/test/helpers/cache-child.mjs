// One process asking the engine cache for a key, as a second `edge trt build` of the same model
// would. Uses the built package, like a user. Arguments: cache dir, key, build log, build ms.
import { appendFileSync, writeFileSync } from 'node:fs';
import { EngineCache } from '../../dist/index.js';

const [dir, key, log, ms] = process.argv.slice(2);
const cache = new EngineCache({ dir, pollMs: 25 });
const events = [];
const entry = await cache.getOrBuild(
  key,
  async () => {
    appendFileSync(log, `build by ${process.pid}\n`);
    writeFileSync(`${log}.started`, '');
    await new Promise((r) => setTimeout(r, Number(ms)));
    const plan = new TextEncoder().encode(`plan built by ${process.pid}`);
    return {
      header: {
        tensorrt: '10.3.0',
        gpu: { name: 'Orin', computeCapability: '8.7' },
        dlaCore: null,
        build: {
          precision: 'fp32',
          fp16: false,
          int8: false,
          stronglyTyped: false,
          gpuFallback: false,
          workspaceBytes: null,
          contexts: 1,
          profile: [],
          calibrationCacheSha256: null,
          transitions: 0,
        },
        model: { name: 'm.onnx', sha256: '00'.repeat(32) },
        createdAt: new Date().toISOString(),
      },
      plan,
    };
  },
  { onEvent: (e) => events.push(e.kind) },
);
process.stdout.write(
  JSON.stringify({ source: entry.source, plan: new TextDecoder().decode(entry.plan), events }),
);
