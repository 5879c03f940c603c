// A model drawn as a graph in one self-contained HTML page (`edge inspect --html`, `edge check
// --html`): every op a box with its MACs and parameters, edges along the tensors, and, with a
// check report, the boxes coloured per target by the verdict on each node, a click showing the
// rule that failed, the reason, the fix and the source of the rule (linked where it has a URL).
// Cytoscape.js draws it with the dagre layered layout (cytoscape-dagre), both inlined.

import type { RuleSource } from '@edge/core';
import { isDefaultDomain, modelStats, type OnnxModel, type StatsOptions } from '@edge/onnx-parse';
import { escapeHtml, inlineScript, scriptJson } from './html-parts.js';

/** One op of the drawn graph. */
export interface GraphNode {
  /** Unique: the node's name, or its op and first output. */
  readonly id: string;
  readonly op: string;
  readonly macs: number;
  readonly parameters: number;
}

/** A tensor from the op that writes it to one that reads it. */
export interface GraphEdge {
  readonly source: string;
  readonly target: string;
  readonly tensor: string;
}

/** One failed rule on a node, for the page. */
export interface GraphIssue {
  readonly level: string;
  readonly rule: string;
  readonly reason: string;
  readonly fix?: string;
  /** `onnx/onnx-tensorrt docs/operators.md:146 (8.6)`. */
  readonly source: string;
  readonly url?: string;
}

/** The verdict of one target, per node. */
export interface GraphTarget {
  readonly id: string;
  readonly name: string;
  readonly verdict: string;
  readonly summary: string;
  /** Issues by node id; nodes without any pass. */
  readonly nodes: Readonly<Record<string, readonly GraphIssue[]>>;
  /** Whole-graph findings. */
  readonly graph: readonly GraphIssue[];
}

/** What the page draws. */
export interface ModelGraph {
  readonly title: string;
  /** One line under the title: file, opset, totals. */
  readonly subtitle: string;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  readonly targets: readonly GraphTarget[];
}

/**
 * The ops of `model` (Constant nodes are weights, not drawn) with their MACs and parameters from
 * `modelStats` (pass input shapes for exact MACs), and the edges along their tensors.
 */
export function modelGraph(model: OnnxModel, title: string, options: StatsOptions = {}): ModelGraph {
  const stats = modelStats(model, options);
  // Ops are named as the checker names them (an unnamed one: `${opType}_${index among ops}`), so a
  // check report's findings land on their boxes.
  const ops = stats.nodes.filter((s) => !(s.node.opType === 'Constant' && isDefaultDomain(s.node.domain)));
  const ids = ops.map((s, i) => s.node.name || `${s.node.opType}_${i}`);
  const nodes: GraphNode[] = ops.map((s, i) => ({
    id: ids[i]!,
    op: s.op,
    macs: s.macs,
    parameters: s.parameters,
  }));
  const writer = new Map<string, string>();
  ops.forEach((s, i) => {
    for (const out of s.node.outputs) if (out) writer.set(out, ids[i]!);
  });
  const edges: GraphEdge[] = [];
  ops.forEach((s, i) => {
    for (const input of s.node.inputs) {
      const from = writer.get(input);
      if (from !== undefined) edges.push({ source: from, target: ids[i]!, tensor: input });
    }
  });
  const opsets = stats.opsetImports.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ');
  return {
    title,
    subtitle: `${nodes.length} ops, ${stats.parameters.toLocaleString('en-US')} parameters, ${stats.macs.toLocaleString('en-US')} MACs${stats.macsApproximate ? ' (approximate: give input shapes)' : ''}; opset ${opsets}`,
    nodes,
    edges,
    targets: [],
  };
}

/** The parts of a check report the page shows (the shape of `@edge/check`'s CheckReport). */
export interface CheckReportLike {
  readonly targets: readonly {
    readonly target: string;
    readonly name: string;
    readonly verdict: string;
    readonly summary: string;
    readonly issues: readonly {
      readonly level: string;
      readonly node?: string;
      readonly rule: string;
      readonly reason: string;
      readonly fix?: string;
      readonly source: RuleSource;
    }[];
  }[];
}

function cite(s: RuleSource): string {
  const where = s.repository && s.path ? `${s.repository} ${s.path}${s.row ? `:${s.row}` : ''}` : s.document;
  return `${where} (${s.version})${s.unverified ? ' [unverified]' : ''}`;
}

/** The graph with the verdicts of a check report, one target each. */
export function withCheckReport(graph: ModelGraph, report: CheckReportLike): ModelGraph {
  const targets = report.targets.map((t): GraphTarget => {
    const nodes: Record<string, GraphIssue[]> = {};
    const whole: GraphIssue[] = [];
    for (const i of t.issues) {
      const issue: GraphIssue = {
        level: i.level,
        rule: i.rule,
        reason: i.reason,
        ...(i.fix ? { fix: i.fix } : {}),
        source: cite(i.source),
        ...(i.source.url ? { url: i.source.url } : {}),
      };
      if (i.node === undefined) whole.push(issue);
      else nodes[i.node] = [...(nodes[i.node] ?? []), issue];
    }
    return { id: t.target, name: t.name, verdict: t.verdict, summary: t.summary, nodes, graph: whole };
  });
  return { ...graph, targets };
}

const STYLE = `
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, sans-serif; color: #1f2328; margin: 0; display: grid; grid-template-columns: 1fr 380px; grid-template-rows: auto 1fr; height: 100vh; }
header { grid-column: 1 / 3; padding: 12px 20px; border-bottom: 1px solid #d1d9e0; display: flex; gap: 24px; align-items: center; flex-wrap: wrap; }
h1 { font-size: 18px; margin: 0; }
.sub { color: #59636e; }
#graph { min-height: 400px; }
aside { border-left: 1px solid #d1d9e0; padding: 12px 16px; overflow: auto; }
.legend span { display: inline-block; padding: 1px 8px; border-radius: 4px; margin-right: 4px; color: #fff; font-size: 12px; }
.issue { border-top: 1px solid #d1d9e0; padding: 6px 0; }
.level { font-weight: 600; }
#failing button { margin: 0 4px 4px 0; font: inherit; font-size: 12px; background: #f6f8fa; border: 1px solid #d1d9e0; border-radius: 4px; cursor: pointer; }
`;

// Builds the Cytoscape graph from the embedded data; the target menu recolours the boxes.
const PAGE_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('graph-data').textContent);
  var COLORS = { pass: '#1a7f37', note: '#1a7f37', fallback: '#bf8700', incompatible: '#bc4c00', undeployable: '#cf222e', none: '#57606a' };
  var RANK = { note: 0, fallback: 1, incompatible: 2, undeployable: 3 };
  function fmt(n) { return n >= 1e9 ? (n / 1e9).toFixed(2) + ' G' : n >= 1e6 ? (n / 1e6).toFixed(2) + ' M' : n >= 1e3 ? (n / 1e3).toFixed(1) + ' K' : String(n); }
  var select = document.getElementById('target');
  function levelOf(target, id) {
    if (!target) return 'none';
    var issues = target.nodes[id] || [];
    var worst = 'pass';
    issues.forEach(function (i) { if ((RANK[i.level] || 0) > (RANK[worst] || -1) && i.level !== 'note') worst = i.level; });
    return worst;
  }
  cytoscape.use(cytoscapeDagre);
  var cy = cytoscape({
    container: document.getElementById('graph'),
    elements: data.nodes.map(function (n) {
      return { data: { id: n.id, label: n.op + '\\n' + (n.macs ? fmt(n.macs) + ' MACs' : '') + (n.parameters ? (n.macs ? ', ' : '') + fmt(n.parameters) + ' params' : ''), level: 'none' } };
    }).concat(data.edges.map(function (e, i) { return { data: { id: 'e' + i, source: e.source, target: e.target } }; })),
    style: [
      { selector: 'node', style: { shape: 'round-rectangle', width: 180, height: 40, label: 'data(label)', 'text-wrap': 'wrap', 'text-valign': 'center', 'font-size': 11, color: '#fff', 'background-color': function (n) { return COLORS[n.data('level')]; } } },
      { selector: 'node:selected', style: { 'border-width': 3, 'border-color': '#0969da' } },
      { selector: 'edge', style: { width: 1.5, 'line-color': '#8c959f', 'target-arrow-color': '#8c959f', 'target-arrow-shape': 'triangle', 'curve-style': 'bezier' } }
    ],
    layout: { name: 'dagre', rankDir: 'TB', nodeSep: 20, rankSep: 30 },
    wheelSensitivity: 0.3
  });
  window.edgeGraph = cy;
  // A whole network fitted on screen is too small to read: start at the inputs, full size.
  cy.zoom(1);
  cy.center(cy.nodes().roots().first());
  cy.panBy({ x: 0, y: 60 - cy.height() / 2 });
  document.getElementById('fit').addEventListener('click', function () { cy.fit(undefined, 20); });
  function focus(id) {
    var n = cy.getElementById(id);
    cy.nodes().unselect();
    n.select();
    cy.animate({ center: { eles: n }, zoom: Math.max(cy.zoom(), 1) }, { duration: 0 });
    show(id);
  }
  function paint() {
    var target = data.targets[Number(select.value)];
    cy.nodes().forEach(function (n) { n.data('level', levelOf(target, n.id())); });
    var t = document.getElementById('verdict');
    t.textContent = target ? target.name + ': ' + target.verdict.toUpperCase() + ' (' + target.summary + ')' : '';
    var list = document.getElementById('failing');
    list.textContent = '';
    if (!target) return;
    var ids = Object.keys(target.nodes).filter(function (id) { return levelOf(target, id) !== 'pass'; });
    var h = document.createElement('p');
    h.textContent = ids.length + ' op(s) fail a rule of ' + target.id + (ids.length ? ':' : '');
    list.appendChild(h);
    ids.forEach(function (id) {
      var b = document.createElement('button');
      b.textContent = id;
      b.style.color = COLORS[levelOf(target, id)];
      b.addEventListener('click', function () { focus(id); });
      list.appendChild(b);
    });
  }
  function show(id) {
    var n = data.nodes.find(function (x) { return x.id === id; });
    var panel = document.getElementById('details');
    panel.textContent = '';
    var h = document.createElement('h2'); h.textContent = n.id; panel.appendChild(h);
    var p = document.createElement('p'); p.textContent = n.op + ', ' + n.macs.toLocaleString('en-US') + ' MACs, ' + n.parameters.toLocaleString('en-US') + ' parameters'; panel.appendChild(p);
    data.targets.forEach(function (t) {
      (t.nodes[id] || []).forEach(function (i) {
        var d = document.createElement('div'); d.className = 'issue';
        var l = document.createElement('div'); l.className = 'level'; l.style.color = COLORS[i.level]; l.textContent = t.id + ': ' + i.level; d.appendChild(l);
        var r = document.createElement('div'); r.textContent = i.rule + ': ' + i.reason + (i.fix ? ' (fix: ' + i.fix + ')' : ''); d.appendChild(r);
        var s = document.createElement(i.url ? 'a' : 'div'); s.textContent = 'source: ' + i.source; if (i.url) { s.href = i.url; s.target = '_blank'; s.rel = 'noopener'; } d.appendChild(s);
        panel.appendChild(d);
      });
    });
  }
  cy.on('tap', 'node', function (e) { show(e.target.id()); });
  select.addEventListener('change', paint);
  paint();
})();
`;

/**
 * The graph as one HTML page with Cytoscape.js and cytoscape-dagre inlined (no network): boxes per
 * op with MACs and parameters, coloured per chosen target by the worst finding on the op (green
 * passes, amber falls back, orange incompatible, red undeployable; grey without a check report);
 * clicking an op lists each target's findings with the rule, reason, fix and linked source.
 *
 * @throws {@link UnavailableError} when cytoscape or cytoscape-dagre is not installed.
 */
export function renderModelGraphHtml(graph: ModelGraph): string {
  const options =
    graph.targets.length === 0
      ? '<option value="-1">no check report</option>'
      : graph.targets
          .map((t, i) => `<option value="${i}">${escapeHtml(`${t.id}: ${t.verdict}`)}</option>`)
          .join('');
  const legend = ['pass', 'fallback', 'incompatible', 'undeployable']
    .map(
      (l) =>
        `<span class="l-${l}" style="background:${{ pass: '#1a7f37', fallback: '#bf8700', incompatible: '#bc4c00', undeployable: '#cf222e' }[l]}">${l}</span>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(graph.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<div><h1>${escapeHtml(graph.title)}</h1><div class="sub">${escapeHtml(graph.subtitle)}</div></div>
<label>target <select id="target">${options}</select></label>
<div id="verdict"></div>
<div class="legend">${graph.targets.length > 0 ? legend : ''}</div>
<button id="fit">whole graph</button>
</header>
<div id="graph"></div>
<aside><div id="failing"></div><div id="details"><p>Click an op for its MACs, parameters and, per target, the rules it fails with their sources.</p></div>${graph.targets
    .flatMap((t) =>
      t.graph.map(
        (i) => `<div class="issue"><b>${escapeHtml(t.id)}</b>: ${escapeHtml(`${i.rule}: ${i.reason}`)}</div>`,
      ),
    )
    .join('')}</aside>
<script type="application/json" id="graph-data">${scriptJson(graph)}</script>
<script>${inlineScript('cytoscape', 'dist/cytoscape.min.js')}</script>
<script>${inlineScript('cytoscape-dagre', 'dist/cytoscape-dagre.js')}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
