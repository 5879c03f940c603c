import { GraphError, isEdgeError } from '@edge/core';
import { expectError, OCR_MODELS } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import {
  attrFloat,
  attrFloats,
  attrGraph,
  attrInt,
  attrInts,
  attributeValue,
  attrString,
  attrTensor,
  findAttribute,
} from '../src/attributes.js';
import { attr, constant, float, floats, graph, int64s, model, node, value } from '../src/build.js';
import { DataType } from '../src/data-type.js';
import { buildGraph, Graph } from '../src/graph.js';
import { readModelFile } from '../src/reader.js';
import { inferShapes } from '../src/shape-inference/index.js';
import { tensorValues } from '../src/tensor-data.js';
import { AttributeType, type TensorProto } from '../src/types.js';

const x = value('x', [1, 4]);

function vals(t: TensorProto): unknown[] {
  return [...(tensorValues(t) as Iterable<unknown>)];
}

function names(g: Graph): string[] {
  return g.nodes.map((n) => n.name);
}

const expectGraphError = (fn: () => unknown, pattern: RegExp): void =>
  expect(isEdgeError(expectError(fn, GraphError, pattern), 'EDGE_GRAPH')).toBe(true);

describe('attributes', () => {
  const n = node('Conv', [], ['y'], {
    group: 2,
    alpha: 0.5,
    one: float(1),
    pads: [1, 1, 1, 1],
    scales: float([1, 2]),
    auto_pad: 'SAME_UPPER',
    names: ['a', 'b'],
    value: floats('w', [2]),
    body: graph({ nodes: [] }),
  });

  it('reads each type, with defaults for absent attributes', () => {
    expect(attrInt(n, 'group', 1)).toBe(2);
    expect(attrInt(n, 'missing', 7)).toBe(7);
    expect(attrInt(n, 'missing')).toBeUndefined();
    expect(attrFloat(n, 'alpha', 0)).toBe(0.5);
    expect(attrFloat(n, 'one', 0)).toBe(1);
    expect(attrInts(n, 'pads', [])).toEqual([1, 1, 1, 1]);
    expect(attrFloats(n, 'scales')).toEqual([1, 2]);
    expect(attrString(n, 'auto_pad', 'NOTSET')).toBe('SAME_UPPER');
    expect(attrString(n, 'missing', 'NOTSET')).toBe('NOTSET');
    expect(attrTensor(n, 'value')?.dims).toEqual([2]);
    expect(attrGraph(n, 'body')?.name).toBe('g');
  });

  it('attributeValue returns the JS value by type, inferring the type of untyped attributes', () => {
    expect(attributeValue(findAttribute(n, 'names')!)).toEqual(['a', 'b']);
    expect(attributeValue(findAttribute(n, 'auto_pad')!)).toBe('SAME_UPPER');
    expect(attributeValue(findAttribute(n, 'pads')!)).toEqual([1, 1, 1, 1]);
    const untyped = { ...attr('k', 3), type: AttributeType.UNDEFINED };
    expect(attributeValue(untyped)).toBe(3);
  });

  it('EXPECTED FAILURE - an attribute of the wrong type is a GraphError naming node and attribute', () => {
    expectGraphError(
      () => attrInt(n, 'alpha', 0),
      /node 'y' \(Conv\): attribute 'alpha' is FLOAT, expected INT/,
    );
    expectGraphError(
      () => attributeValue({ ...attr('t', 1), type: AttributeType.TENSOR }),
      /'t' has type TENSOR but no value/,
    );
  });
});

describe('Graph', () => {
  it('keeps the file order of a sorted graph and indexes producers and consumers', () => {
    const g = buildGraph(
      model(
        graph({
          inputs: [x],
          nodes: [node('Relu', ['x'], ['a']), node('Mul', ['a', 'a'], ['b']), node('Add', ['a', 'b'], ['c'])],
          outputs: [value('c', [1, 4])],
        }),
      ),
    );
    expect(names(g)).toEqual(['a', 'b', 'c']);
    expect(g.producer('b')?.opType).toBe('Mul');
    expect(g.producer('x')).toBeUndefined();
    expect(g.consumers('a').map((n) => n.name)).toEqual(['b', 'c']);
    expect(g.consumers('c')).toEqual([]);
    expect(g.inputs.map((v) => v.name)).toEqual(['x']);
    expect(g.outputs.map((v) => v.name)).toEqual(['c']);
  });

  it('sorts an unsorted graph, moving only what must move', () => {
    const g = buildGraph(
      model(
        graph({
          inputs: [x],
          nodes: [
            node('Add', ['b', 'p'], ['c']),
            node('Relu', ['x'], ['a']),
            node('Neg', ['x'], ['p']),
            node('Sigmoid', ['a'], ['b']),
            node('Tanh', ['x'], ['q']),
          ],
        }),
      ),
    );
    expect(names(g)).toEqual(['a', 'p', 'b', 'c', 'q']);
  });

  it('sorts a long reversed chain', () => {
    const n = 50_000;
    const nodes = Array.from({ length: n }, (_, k) => node('Relu', [k === 0 ? 'x' : `t${k - 1}`], [`t${k}`]));
    const g = buildGraph(model(graph({ inputs: [x], nodes: nodes.reverse() })));
    expect(g.nodes[0]!.name).toBe('t0');
    expect(g.nodes[n - 1]!.name).toBe(`t${n - 1}`);
  });

  it('EXPECTED FAILURE - a cycle names the nodes on it, not those downstream', () => {
    const m = model(
      graph({
        inputs: [x],
        nodes: [
          node('Add', ['x', 'c'], ['a']),
          node('Relu', ['a'], ['b']),
          node('Relu', ['b'], ['c']),
          node('Relu', ['c'], ['downstream']),
        ],
      }),
    );
    expectGraphError(
      () => buildGraph(m),
      /cycle: 'a' \(Add\) -> 'b' \(Relu\) -> 'c' \(Relu\) -> 'a' \(Add\)/,
    );
    const self = model(graph({ inputs: [x], nodes: [node('Add', ['x', 's'], ['s'])] }));
    expectGraphError(() => buildGraph(self), /cycle: 's' \(Add\) -> 's' \(Add\)/);
  });

  it('EXPECTED FAILURE - a tensor produced twice names both nodes', () => {
    const m = model(
      graph({
        inputs: [x],
        nodes: [
          node('Relu', ['x'], ['a'], {}, { name: 'r1' }),
          node('Neg', ['x'], ['a'], {}, { name: 'r2' }),
        ],
      }),
    );
    expectGraphError(
      () => buildGraph(m),
      /tensor 'a' is produced by two nodes: 'r1' \(Relu\) and 'r2' \(Neg\)/,
    );
  });

  it('EXPECTED FAILURE - reading a tensor nothing provides', () => {
    const m = model(graph({ inputs: [x], nodes: [node('Add', ['x', 'ghost'], ['a'])] }));
    expectGraphError(
      () => buildGraph(m),
      /node 'a' \(Add\) reads tensor 'ghost', which no node, initializer or graph input provides/,
    );
  });

  it('ignores omitted optional inputs', () => {
    const g = buildGraph(model(graph({ inputs: [x], nodes: [node('Clip', ['x', '', ''], ['y'])] })));
    expect(g.consumers('')).toEqual([]);
  });

  it('counts outer-scope reads of subgraphs as dependencies, not as missing producers', () => {
    const thenBranch = graph({
      name: 'then',
      nodes: [
        node('Add', ['late', 'x'], ['t1']),
        // Defined inside the branch, so not an outer reference.
        node('Relu', ['t1'], ['t2']),
      ],
      outputs: [value('t2', [1, 4])],
    });
    const elseBranch = graph({
      name: 'else',
      nodes: [node('Identity', ['x'], ['e1'])],
      outputs: [value('e1', [1, 4])],
    });
    const g = buildGraph(
      model(
        graph({
          inputs: [x, value('cond', [], DataType.BOOL)],
          nodes: [
            node('If', ['cond'], ['out'], { then_branch: thenBranch, else_branch: elseBranch }),
            node('Neg', ['x'], ['late']),
          ],
        }),
      ),
    );
    expect(names(g)).toEqual(['late', 'out']);
    expect(g.consumers('late').map((n) => n.name)).toEqual(['out']);
    expect([...g.implicitInputs(g.nodes[1]!)].sort()).toEqual(['late', 'x']);
  });

  it('excludes initializers from inputs (IR 3 lists them as inputs too)', () => {
    const g = buildGraph(
      model(
        graph({
          inputs: [x, value('w', [4])],
          initializers: [floats('w', [4])],
          nodes: [node('Add', ['x', 'w'], ['y'])],
        }),
      ),
    );
    expect(g.inputs.map((v) => v.name)).toEqual(['x']);
    expect(g.initializers.has('w')).toBe(true);
  });

  it('treats initializers and Constant nodes alike in constant()', () => {
    const g = buildGraph(
      model(
        graph({
          inputs: [x],
          initializers: [floats('w', [4], 2)],
          nodes: [
            constant('c', int64s('', [1, -1])),
            node('Constant', [], ['vf'], { value_float: float(1.5) }),
            node('Constant', [], ['vfs'], { value_floats: float([1, 2]) }),
            node('Constant', [], ['vi'], { value_int: 7 }),
            node('Constant', [], ['vis'], { value_ints: [3, Number(2n ** 63n - 1n)] }),
            node('Constant', [], ['vs'], { value_string: 'hello' }),
            node('Relu', ['x'], ['r']),
          ],
        }),
      ),
    );
    expect(vals(g.constant('w')!)).toEqual([2, 2, 2, 2]);
    const c = g.constant('c')!;
    expect(c.name).toBe('c');
    expect(vals(c)).toEqual([1n, -1n]);
    expect(g.constant('vf')!.dims).toEqual([]);
    expect(vals(g.constant('vf')!)).toEqual([1.5]);
    expect(vals(g.constant('vfs')!)).toEqual([1, 2]);
    expect(g.constant('vi')!.dataType).toBe(DataType.INT64);
    expect(vals(g.constant('vi')!)).toEqual([7n]);
    // A rounded INT64_MAX must stay INT64_MAX, not wrap around.
    expect(vals(g.constant('vis')!)).toEqual([3n, 9223372036854775807n]);
    expect(g.constant('vs')).toBeUndefined();
    expect(g.constant('r')).toBeUndefined();
    expect(g.constant('x')).toBeUndefined();
    expect(g.isConstant('c')).toBe(true);
    expect(g.isConstant('r')).toBe(false);
  });

  it('opsetVersion treats ai.onnx as the default domain', () => {
    const m = model(graph({ nodes: [] }), 11, {
      opsetImports: [
        { domain: 'ai.onnx', version: 17 },
        { domain: 'com.microsoft', version: 1 },
      ],
    });
    const g = new Graph(m);
    expect(g.opsetVersion()).toBe(17);
    expect(g.opsetVersion('com.microsoft')).toBe(1);
    expect(g.opsetVersion('ai.onnx.ml')).toBeUndefined();
  });
});

describe('Graph on the PaddleOCR models', () => {
  it.each(['det', 'rec', 'cls'] as const)('%s: indexes constants and sorts a shuffled copy', (key) => {
    const m = readModelFile(OCR_MODELS[key]);
    const g = buildGraph(m);
    expect(g.nodes).toEqual(m.graph.nodes);
    expect(g.initializers.size).toBe(0);
    for (const conv of g.nodes.filter((n) => n.opType === 'Conv')) {
      const w = g.constant(conv.inputs[1]!)!;
      expect(w.dims).toHaveLength(4);
      expect(g.producer(conv.inputs[1]!)?.opType).toBe('Constant');
    }
    // A deterministic shuffle: the sort must restore a valid order and keep every node.
    const shuffled = [...m.graph.nodes];
    let seed = 12345;
    for (let i = shuffled.length - 1; i > 0; i--) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const j = seed % (i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const sorted = buildGraph({ ...m, graph: { ...m.graph, nodes: shuffled } });
    expect(sorted.nodes).toHaveLength(m.graph.nodes.length);
    const seen = new Set(m.graph.inputs.map((v) => v.name));
    for (const n of sorted.nodes) {
      for (const i of n.inputs)
        if (i) expect(seen.has(i), `${n.name} reads ${i} before it exists`).toBe(true);
      for (const o of n.outputs) seen.add(o);
    }
    expect(inferShapes(sorted)).toEqual(inferShapes(g));
  });
});
