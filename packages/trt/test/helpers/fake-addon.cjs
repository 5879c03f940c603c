// A test double of the native addon (src/binding.ts's TrtBinding), loaded through EDGE_TRT_NATIVE
// like the real one. It stands in for TensorRT on machines without it so that the TypeScript over
// the binding (loader, status, build chain, cache, engine container, contexts, profile checks,
// the backend and loadModel) runs end to end. It is not TensorRT: its "plan" is JSON describing
// a network y = relu(x) with the requested profile, and its "execution" computes that on the CPU.
// Nothing here is shipped.
'use strict';

const state = { builds: 0, contextsOpen: 0, runsInFlight: 0, maxRunsInFlight: 0 };

function relu(bytes) {
  const src = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = Math.max(src[i], 0);
  return new Uint8Array(out.buffer);
}

module.exports = {
  abi: 1,
  tensorrtHeaders: '10.3.0',
  state,
  openLibrary(_kind, candidates) {
    return { path: `/fake/${candidates[0].split('/').pop()}`, errors: [] };
  },
  versions() {
    return { tensorrt: 100300, onnxParser: 100300, cudaRuntime: 12060, cudaDriver: 12060 };
  },
  devices() {
    return [{ index: 0, name: 'Orin', major: 8, minor: 7, totalMemory: 32e9, integrated: true }];
  },
  dlaCores() {
    return 2;
  },
  build(request, onEvent) {
    let cancelled = false;
    const promise = new Promise((resolve, reject) => {
      state.builds++;
      const log = [
        {
          severity: 'warning',
          message: 'fake: onnx2trt_utils.cpp: Your ONNX model has been generated with INT64 weights',
        },
      ];
      setTimeout(() => {
        onEvent({ kind: 'phase', name: 'edge:parse', step: 0, steps: 3, depth: 0 });
        onEvent({ kind: 'log', severity: log[0].severity, message: log[0].message });
        if (process.env.EDGE_FAKE_TRT_FAIL) {
          log.push({
            severity: 'error',
            message: 'fake: ModelImporter.cpp:773: While parsing node number 0 [Relu]',
          });
          const e = new Error('ONNX parser: node 0: unsupported');
          e.step = 'ONNX parser';
          e.log = log;
          reject(e);
          return;
        }
        onEvent({ kind: 'phase', name: 'Building engine', step: 1, steps: 2, depth: 0 });
        setTimeout(
          () => {
            if (cancelled) {
              const e = new Error('build: cancelled');
              e.step = 'build';
              e.log = log;
              reject(e);
              return;
            }
            onEvent({ kind: 'phase', name: 'edge:build', step: 3, steps: 3, depth: 0 });
            const plan = new TextEncoder().encode(
              JSON.stringify({ profile: request.profile, copies: request.profileCopies, fp16: request.fp16 }),
            );
            resolve({ plan, timingCache: new Uint8Array([1, 2, 3]), layers: [], transitions: 0, log });
          },
          Number(process.env.EDGE_FAKE_TRT_BUILD_MS || 20),
        );
      }, 5);
    });
    return {
      promise,
      cancel() {
        cancelled = true;
      },
    };
  },
  async deserialize(plan, device, dlaCore) {
    const desc = JSON.parse(new TextDecoder().decode(plan));
    const entry = desc.profile.find((p) => p.name === 'x');
    const dims = entry ? entry.min.map((m, i) => (m === entry.max[i] ? m : -1)) : [1, 3, 8, 8];
    const input = { name: 'x', mode: 'input', dtype: 'float32', dims };
    if (entry) Object.assign(input, { min: entry.min, opt: entry.opt, max: entry.max });
    return {
      tensors: [input, { name: 'y', mode: 'output', dtype: 'float32', dims }],
      layers: 1,
      profiles: desc.copies,
      device,
      dlaCore,
      createContext(profile) {
        if (profile >= desc.copies) throw new Error(`no profile ${profile}`);
        state.contextsOpen++;
        let busy = false;
        return {
          async run(inputs) {
            if (busy) throw new Error('the execution context is running another inference');
            busy = true;
            state.runsInFlight++;
            state.maxRunsInFlight = Math.max(state.maxRunsInFlight, state.runsInFlight);
            await new Promise((r) => setTimeout(r, Number(process.env.EDGE_FAKE_TRT_RUN_MS || 1)));
            state.runsInFlight--;
            busy = false;
            const x = inputs.find((i) => i.name === 'x');
            return [
              {
                name: 'y',
                dims: x.dims,
                data: relu(new Uint8Array(x.data.buffer, x.data.byteOffset, x.data.byteLength)),
              },
            ];
          },
          dispose() {
            state.contextsOpen--;
          },
        };
      },
      dispose() {},
    };
  },
  loadCudaModule() {
    throw new Error('the fake addon has no CUDA');
  },
};
