#!/usr/bin/env node
// The onnxruntime CPU table's source: the installed onnxruntime-node itself. Every one-node model
// of ONNX's node tests (Debian's libonnx-testdata, onnx 1.12) and a generic one-node model of each
// operator without a test (ONNX ops of later opsets, the com.microsoft contrib ops the table names)
// is loaded with InferenceSession.create on the CPU provider; what loads, and why what fails fails, is
// written to data/ort-cpu.json. test/ort-table.test.ts measures again and fails when the file drifts.
//
// usage: node scripts/measure-ort-cpu.mjs [--node-tests /usr/share/libonnx-testdata/data/node]

import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const DATA = join(HERE, '..', 'data', 'ort-cpu.json');
export const NODE_TESTS = '/usr/share/libonnx-testdata/data/node';

/** Ops of later opsets than onnx 1.12 and contrib ops: loaded as a generic one-input node. */
export const GENERIC = [
  ['', 'AffineGrid', 20],
  ['', 'Attention', 23],
  ['', 'BitwiseAnd', 18],
  ['', 'BitwiseNot', 18],
  ['', 'BitwiseOr', 18],
  ['', 'BitwiseXor', 18],
  ['', 'CenterCropPad', 18],
  ['', 'Col2Im', 18],
  ['', 'DeformConv', 19],
  ['', 'Gelu', 20],
  ['', 'GroupNormalization', 18],
  ['', 'ImageDecoder', 20],
  ['', 'Mish', 18],
  ['', 'RMSNormalization', 23],
  ['', 'RegexFullMatch', 20],
  ['', 'RotaryEmbedding', 23],
  ['', 'StringConcat', 20],
  ['', 'StringSplit', 20],
  ...`QLinearAdd QLinearMul QLinearSigmoid QLinearLeakyRelu QLinearConcat QLinearAveragePool
  QLinearGlobalAveragePool QLinearSoftmax FusedConv FusedGemm FusedMatMul Gelu FastGelu BiasGelu QuickGelu
  DynamicQuantizeMatMul MatMulInteger16 MatMulIntegerToFloat NhwcMaxPool Attention SkipLayerNormalization
  EmbedLayerNormalization LayerNormalization SimplifiedLayerNormalization Inverse Trilu Unique
  MaxpoolWithMask Pad Range ExpandDims CropAndResize GridSample`
    .split(/\s+/)
    .map((op) => ['com.microsoft', op, 1]),
];

/** Why a session did not build: no kernel, unknown op, refused attribute settle a verdict; the rest do not. */
export function errorKind(message) {
  if (/Could not find an implementation/i.test(message)) return 'no-kernel';
  // A kernel that refuses an attribute value when the session builds (RNN layout 1).
  if (/ was false\. .* (are|is) not supported/i.test(message)) return 'unsupported-attribute';
  // This build has no kernels at all for an element type (bfloat16 on the CPU provider).
  if (/Unsupported data type/i.test(message)) return 'unsupported-type';
  // Depends on the machine, not on onnxruntime (StringNormalizer needs the en_US.UTF-8 locale).
  if (/locale/i.test(message)) return 'environment';
  if (
    /is not a registered function\/op|No Op registered|Unrecognized attribute|no schema registered/i.test(
      message,
    )
  )
    return 'unknown-op';
  return 'invalid-model';
}

function short(message) {
  return message
    .replace(/\s+/g, ' ')
    .replace(
      /^.*?(Could not find an implementation|is not a registered|\[ShapeInferenceError\]|Node \(|layout_|Failed to construct locale)/,
      '$1',
    )
    .slice(0, 220);
}

/** The measurement: one entry per model, in a stable order. */
export async function measure({ nodeTests = NODE_TESTS } = {}) {
  const require = createRequire(import.meta.url);
  const ort = require('onnxruntime-node');
  const { readModel, writeModel, onnxBuilder: b, DataType } = await import('@edge/onnx-parse');
  const cases = [];
  const load = async (bytes) => {
    try {
      const s = await ort.InferenceSession.create(bytes, {
        executionProviders: ['cpu'],
        graphOptimizationLevel: 'disabled',
        logSeverityLevel: 4,
      });
      await s.release();
      return { loads: true };
    } catch (e) {
      const message = String(e?.message ?? e);
      return { loads: false, kind: errorKind(message), error: short(message), full: message };
    }
  };
  const names = existsSync(nodeTests) ? readdirSync(nodeTests).sort() : [];
  for (const dir of names) {
    const path = join(nodeTests, dir, 'model.onnx');
    if (!existsSync(path)) continue;
    const bytes = readFileSync(path);
    let model;
    try {
      model = readModel(bytes);
    } catch {
      continue;
    }
    const nodes = model.graph.nodes;
    if (nodes.length !== 1) continue;
    const n = nodes[0];
    const domain = n.domain === 'ai.onnx' ? '' : n.domain;
    const opset =
      model.opsetImports.find((o) => (o.domain === 'ai.onnx' ? '' : o.domain) === domain)?.version ?? 0;
    const types = model.graph.inputs.map((v) => (v.type?.kind === 'tensor' ? v.type.elemType : 0));
    const { full: _full, ...result } = await load(bytes);
    cases.push({ case: `node/${dir}`, op: n.opType, domain, opset, inputTypes: types, ...result });
  }
  // A generic node is adapted to what the schema asks (input count, element type) until it is a
  // valid model; only then does its failure say something about the kernel.
  const TYPES = [
    DataType.FLOAT,
    DataType.INT64,
    DataType.INT32,
    DataType.UINT8,
    DataType.BOOL,
    DataType.STRING,
  ];
  for (const [domain, op, opset] of GENERIC) {
    let inputs = 1;
    let t = 0;
    let result;
    for (let attempt = 0; attempt < 12; attempt++) {
      const names = Array.from({ length: inputs }, (_, k) => `x${k}`);
      const m = b.model(
        b.graph({
          nodes: [b.node(op, names, ['y'], {}, { domain })],
          inputs: names.map((n) => b.value(n, [1, 3, 8, 8], TYPES[t])),
          // No declared output type: the schema's inference decides it.
          outputs: [{ name: 'y', docString: '', metadataProps: [] }],
        }),
        domain ? 17 : opset,
      );
      if (domain) m.opsetImports.push({ domain, version: opset });
      result = await load(writeModel(m));
      if (result.loads || result.kind !== 'invalid-model') break;
      const range = /input size \d+ not in range \[min=(\d+)/.exec(result.full);
      if (range && Number(range[1]) !== inputs) inputs = Number(range[1]);
      else if (
        /Type Error: Type 'tensor\(\w+\)' of input parameter/.test(result.full) &&
        t + 1 < TYPES.length
      )
        t++;
      else break;
    }
    cases.push({
      case: `generic/${domain || 'ai.onnx'}/${op}`,
      op,
      domain,
      opset,
      inputTypes: Array(inputs).fill(TYPES[t]),
      ...Object.fromEntries(Object.entries(result).filter(([k]) => k !== 'full')),
    });
  }
  return {
    onnxruntime: require('onnxruntime-node/package.json').version,
    provider: 'cpu',
    models: `Debian libonnx-testdata (onnx 1.12) ${nodeTests}, single-node models; generic one-input nodes for later or contrib ops`,
    cases,
  };
}

/** Pretty header, one case a line. */
export function formatData(data) {
  const { cases, ...head } = data;
  const top = JSON.stringify(head, null, 2).replace(/\n}$/, '');
  return `${top},\n  "cases": [\n${cases.map((c) => `    ${JSON.stringify(c)}`).join(',\n')}\n  ]\n}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const i = process.argv.indexOf('--node-tests');
  const data = await measure(i > 0 ? { nodeTests: process.argv[i + 1] } : {});
  writeFileSync(`${DATA}.tmp`, formatData(data));
  renameSync(`${DATA}.tmp`, DATA);
  const loaded = data.cases.filter((c) => c.loads).length;
  console.log(`onnxruntime-node ${data.onnxruntime}: ${data.cases.length} models, ${loaded} load`);
}
