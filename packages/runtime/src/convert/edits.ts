// Graph fixes for `edge convert`, written on onnx-parse's public API. Each returns a new model and
// leaves its input untouched; nodes come out in topological order (Graph sorts them).

import { ArgumentError, GraphError } from '@edge/core';
import {
  attrFloats,
  attrString,
  buildGraph,
  constantTensor,
  DataType,
  type Dim,
  type Dimension,
  type Graph,
  inferShapes,
  isDefaultDomain,
  type NodeProto,
  type OnnxModel,
  type TensorProto,
  tensorFromArray,
  tensorValues,
  type ValueInfo,
} from '@edge/onnx-parse';

function withGraph(model: OnnxModel, changes: Partial<OnnxModel['graph']>): OnnxModel {
  return { ...model, graph: { ...model.graph, ...changes } };
}

function renameIn(node: NodeProto, from: string, to: string): NodeProto {
  const inputs = node.inputs.map((i) => (i === from ? to : i));
  const outputs = node.outputs.map((o) => (o === from ? to : o));
  return { ...node, inputs, outputs };
}

function readsImplicitly(graph: Graph, name: string): boolean {
  return graph.consumers(name).some((c) => graph.implicitInputs(c).includes(name));
}

/** True when a Dropout node is an identity at inference: no mask output in use, training_mode absent or constant false. */
function isInferenceDropout(graph: Graph, node: NodeProto, used: ReadonlySet<string>): boolean {
  if (node.outputs[1] && used.has(node.outputs[1])) return false;
  const training = node.inputs[2];
  if (!training) return true;
  const t = graph.constant(training);
  if (!t) return false;
  const v = tensorValues(t);
  return v.length === 1 && Number(v[0]) === 0;
}

/**
 * Removes Identity nodes and inference-mode Dropout nodes (no mask output in use), wiring their
 * consumers to their input. Where the removed node's output is a graph output, the producer of
 * its input is renamed instead, so graph output names stay as they were. Nodes whose output a
 * subgraph reads, or whose input is a graph input or initializer feeding a graph output, stay.
 *
 * @throws GraphError when the graph is structurally invalid.
 */
export function dropIdentities(model: OnnxModel): { model: OnnxModel; removed: number } {
  let current = model;
  let removed = 0;
  for (;;) {
    const graph = buildGraph(current);
    const outputs = new Set(graph.outputs.map((v) => v.name));
    const used = new Set<string>([...outputs]);
    for (const n of graph.nodes) for (const i of [...n.inputs, ...graph.implicitInputs(n)]) used.add(i);
    const target = graph.nodes.find((n) => {
      if (!isDefaultDomain(n.domain)) return false;
      if (n.opType !== 'Identity' && !(n.opType === 'Dropout' && isInferenceDropout(graph, n, used)))
        return false;
      const src = n.inputs[0];
      const out = n.outputs[0];
      if (!src || !out || readsImplicitly(graph, out)) return false;
      if (outputs.has(out)) return !!graph.producer(src) && !outputs.has(src) && !readsImplicitly(graph, src);
      return true;
    });
    if (!target) return { model: current, removed };
    const src = target.inputs[0]!;
    const out = target.outputs[0]!;
    const nodes = graph.nodes.filter((n) => n !== target);
    let next: OnnxModel;
    if (outputs.has(out)) {
      // Rename the producer's output to the graph output name.
      next = withGraph(current, {
        nodes: nodes.map((n) => renameIn(n, src, out)),
        valueInfo: current.graph.valueInfo.filter((v) => v.name !== src && v.name !== out),
      });
    } else {
      next = withGraph(current, {
        nodes: nodes.map((n) => ({ ...n, inputs: n.inputs.map((i) => (i === out ? src : i)) })),
        valueInfo: current.graph.valueInfo.filter((v) => v.name !== out),
      });
    }
    current = next;
    removed++;
  }
}

/**
 * Turns Constant nodes (numeric tensors; not strings or sparse values) into initializers. A
 * Constant that is a graph output stays a node.
 *
 * @throws GraphError when a Constant node is malformed.
 */
export function constantsToInitializers(model: OnnxModel): { model: OnnxModel; moved: number } {
  const graph = buildGraph(model);
  const outputs = new Set(graph.outputs.map((v) => v.name));
  const added: TensorProto[] = [];
  const nodes = graph.nodes.filter((n) => {
    if (n.opType !== 'Constant' || !isDefaultDomain(n.domain) || !n.outputs[0] || outputs.has(n.outputs[0]))
      return true;
    const t = constantTensor(n);
    if (!t) return true;
    added.push(t);
    return false;
  });
  if (added.length === 0) return { model, moved: 0 };
  const inputs =
    model.irVersion < 4
      ? [...model.graph.inputs, ...added.map((t) => tensorValueInfo(t.name, t.dataType, t.dims))]
      : model.graph.inputs;
  return {
    model: withGraph(model, { nodes, inputs, initializers: [...model.graph.initializers, ...added] }),
    moved: added.length,
  };
}

function tensorValueInfo(name: string, elemType: number, dims: readonly Dim[] | null): ValueInfo {
  return {
    name,
    type: dims
      ? {
          kind: 'tensor',
          elemType,
          shape: dims.map((d) =>
            typeof d === 'number' ? { value: d } : typeof d === 'string' ? { param: d } : {},
          ),
        }
      : { kind: 'tensor', elemType },
    docString: '',
    metadataProps: [],
  };
}

function toDimensions(dims: readonly Dim[]): Dimension[] {
  return dims.map((d) => (typeof d === 'number' ? { value: d } : typeof d === 'string' ? { param: d } : {}));
}

/**
 * Sets the full shape of graph inputs (`{ x: [1, 3, 640, 640] }`). Output shapes are re-inferred
 * where they mention a dimension the inputs no longer have, and intermediate value_info entries
 * that could now be stale are dropped.
 *
 * @throws ArgumentError when a name is not a graph input, or a shape's rank differs from the declared one.
 */
export function setInputShapes(
  model: OnnxModel,
  shapes: Readonly<Record<string, readonly Dim[]>>,
): OnnxModel {
  const graph = buildGraph(model);
  const real = new Map(graph.inputs.map((v) => [v.name, v]));
  const oldParams = new Set<string>();
  for (const [name, dims] of Object.entries(shapes)) {
    const v = real.get(name);
    if (!v) {
      throw new ArgumentError(
        `input '${name}' is not a graph input (inputs: ${[...real.keys()].join(', ')})`,
      );
    }
    const declared = v.type?.kind === 'tensor' ? v.type.shape : undefined;
    if (declared && declared.length !== dims.length) {
      throw new ArgumentError(
        `Expected ${declared.length} dims for input '${name}' but received ${dims.length} (${dims.join('x')})`,
      );
    }
    for (const d of declared ?? []) if (d.param) oldParams.add(d.param);
  }
  const inputs = model.graph.inputs.map((v) => {
    const dims = shapes[v.name];
    if (!dims || v.type?.kind !== 'tensor') return v;
    return { ...v, type: { ...v.type, shape: toDimensions(dims) } };
  });
  const probe = withGraph(model, { inputs, valueInfo: [] });
  const inferred = inferShapes(probe);
  const stale = (shape: Dimension[] | undefined) =>
    !!shape?.some((d) => d.param !== undefined && oldParams.has(d.param));
  const outputs = model.graph.outputs.map((v) => {
    const type = v.type;
    if (type?.kind !== 'tensor' || !type.shape || !stale(type.shape)) return v;
    const declared = type.shape;
    const now = inferred.get(v.name)?.shape;
    const shape = declared.map((d, k) => {
      const n = now && now.length === declared.length ? now[k] : undefined;
      if (d.param === undefined || !oldParams.has(d.param)) return d;
      return n === undefined || n === null ? {} : typeof n === 'number' ? { value: n } : { param: n };
    });
    return { ...v, type: { ...type, shape } };
  });
  const valueInfo = model.graph.valueInfo.filter((v) => v.type?.kind !== 'tensor' || !stale(v.type.shape));
  return withGraph(model, { inputs, outputs, valueInfo });
}

// Ops whose inputs or attributes changed between opset 7..10 and 11, so that raising the opset
// for Resize would change their meaning; Upsample itself is rewritten.
const CHANGED_BEFORE_11: Readonly<Record<string, number>> = {
  Slice: 10,
  TopK: 10,
  Pad: 11,
  Clip: 11,
  Resize: 11,
  Scatter: 11,
  BatchNormalization: 9,
  Dropout: 7,
};

/**
 * Replaces Upsample (deprecated from opset 10) with the equivalent Resize: asymmetric coordinates,
 * floor rounding for nearest, the same scales. A model below opset 11 is raised to 11 when none of
 * its other ops changed meaning on the way.
 *
 * @throws ArgumentError when the opset cannot be raised (the message names the blocking op).
 */
export function upsampleToResize(model: OnnxModel): { model: OnnxModel; replaced: number } {
  const graph = buildGraph(model);
  const ups = graph.nodes.filter((n) => n.opType === 'Upsample' && isDefaultDomain(n.domain));
  if (ups.length === 0) return { model, replaced: 0 };
  const opset = graph.opsetVersion('') ?? 1;
  const target = Math.max(opset, 11);
  if (opset < 11) {
    for (const n of graph.nodes) {
      const since = CHANGED_BEFORE_11[n.opType];
      if (isDefaultDomain(n.domain) && since !== undefined && n.opType !== 'Upsample' && opset < since) {
        throw new ArgumentError(
          `cannot replace Upsample: the model is opset ${opset}, Resize needs 11, and ${n.opType} ('${n.name}') changed meaning at opset ${since}; convert the model's opset first (onnx.version_converter)`,
        );
      }
    }
  }
  const added: TensorProto[] = [];
  const nodes = graph.nodes.map((n) => {
    if (!ups.includes(n)) return n;
    const mode = attrString(n, 'mode', 'nearest');
    let scalesName = n.inputs[1];
    if (!scalesName) {
      const scales = attrFloats(n, 'scales');
      if (!scales) throw new GraphError(`Upsample '${n.name}' has neither a scales input nor attribute`);
      scalesName = `${n.outputs[0]}__scales`;
      added.push(tensorFromArray(scalesName, DataType.FLOAT, [scales.length], Float32Array.from(scales)));
    }
    const roiName = `${n.outputs[0]}__roi`;
    if (target < 13) added.push(tensorFromArray(roiName, DataType.FLOAT, [0], new Float32Array(0)));
    const attrs = [
      stringAttr('mode', mode === 'bilinear' ? 'linear' : mode),
      stringAttr('coordinate_transformation_mode', 'asymmetric'),
      ...(mode === 'nearest' ? [stringAttr('nearest_mode', 'floor')] : []),
    ];
    return {
      ...n,
      opType: 'Resize',
      inputs: [n.inputs[0]!, target < 13 ? roiName : '', scalesName],
      attributes: attrs,
    };
  });
  const opsetImports = model.opsetImports.map((o) =>
    isDefaultDomain(o.domain) ? { ...o, version: target } : o,
  );
  const irVersion = Math.max(model.irVersion, 6);
  const inputs =
    model.irVersion < 4
      ? [...model.graph.inputs, ...added.map((t) => tensorValueInfo(t.name, t.dataType, t.dims))]
      : model.graph.inputs;
  return {
    model: {
      ...withGraph(model, { nodes, inputs, initializers: [...model.graph.initializers, ...added] }),
      opsetImports,
      irVersion,
    },
    replaced: ups.length,
  };
}

function stringAttr(name: string, value: string): NodeProto['attributes'][number] {
  return {
    name,
    refAttrName: '',
    docString: '',
    type: 3,
    s: new TextEncoder().encode(value),
    floats: [],
    ints: [],
    strings: [],
    tensors: [],
    graphs: [],
    sparseTensors: [],
    typeProtos: [],
  };
}
