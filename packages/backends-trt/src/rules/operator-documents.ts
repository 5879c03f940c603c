// The support matrices of onnx-tensorrt's docs/operators.md, one per TensorRT release, as extracted
// by scripts/extract-operators.mjs into data/onnx-tensorrt/. The rule tables are built from these.

import type { RuleSource } from '@edge/core';
import d7_0 from '../../data/onnx-tensorrt/7.0.json' with { type: 'json' };
import d7_1 from '../../data/onnx-tensorrt/7.1.json' with { type: 'json' };
import d7_2 from '../../data/onnx-tensorrt/7.2.json' with { type: 'json' };
import d8_0 from '../../data/onnx-tensorrt/8.0.json' with { type: 'json' };
import d8_2 from '../../data/onnx-tensorrt/8.2.json' with { type: 'json' };
import d8_4 from '../../data/onnx-tensorrt/8.4.json' with { type: 'json' };
import d8_5 from '../../data/onnx-tensorrt/8.5.json' with { type: 'json' };
import d8_6 from '../../data/onnx-tensorrt/8.6.json' with { type: 'json' };
import d9_0 from '../../data/onnx-tensorrt/9.0.json' with { type: 'json' };
import d9_1 from '../../data/onnx-tensorrt/9.1.json' with { type: 'json' };
import d9_2 from '../../data/onnx-tensorrt/9.2.json' with { type: 'json' };
import d9_3 from '../../data/onnx-tensorrt/9.3.json' with { type: 'json' };
import d10_0 from '../../data/onnx-tensorrt/10.0.json' with { type: 'json' };
import d10_1 from '../../data/onnx-tensorrt/10.1.json' with { type: 'json' };
import d10_14 from '../../data/onnx-tensorrt/10.14.json' with { type: 'json' };
import d10_15 from '../../data/onnx-tensorrt/10.15.json' with { type: 'json' };
import d10_16 from '../../data/onnx-tensorrt/10.16.json' with { type: 'json' };
import d11_1 from '../../data/onnx-tensorrt/11.1.json' with { type: 'json' };

/** One row of a support matrix. */
export interface OperatorRow {
  readonly op: string;
  /** The document's Y/N. */
  readonly supported: boolean;
  /** Marked `Y [EXPERIMENTAL]` (NonMaxSuppression in 8.0-8.4). */
  readonly experimental?: boolean;
  /** The "Supported Types" cell (from 8.4 on), e.g. `FP32`, `INT8`. */
  readonly types?: readonly string[];
  /** The "Restrictions" cell as written, whitespace collapsed. */
  readonly restrictions: string;
  /** 1-based line of the row in the document. */
  readonly line: number;
  /** Set when the row had to be read around a typo of the source; says what the source has. */
  readonly repaired?: string;
}

/** A line of the document cited by a rule. */
export interface DocumentLine {
  readonly text: string;
  readonly line: number;
}

/** One release's docs/operators.md as data. */
export interface OperatorDocument {
  readonly source: {
    readonly repository: string;
    /** The onnx-tensorrt branch (releases up to 10.1). */
    readonly branch?: string;
    /** The NVIDIA/TensorRT release branch that pins the parser commit (10.14 on). */
    readonly pinnedBy?: string;
    readonly path: string;
    readonly commit: string;
    readonly url: string;
  };
  /** The TensorRT release, e.g. `8.6`. */
  readonly tensorrt: string;
  readonly opset: {
    /** The version the sentence names (10.1-GA still says 10.0). */
    readonly stated: string;
    /** Lowest opset, when the document states one (10.0 on). */
    readonly min: number | null;
    readonly max: number;
    readonly line: number;
    readonly text: string;
  };
  readonly dataTypes?: DocumentLine;
  /** The notes above the matrix: INT64/DOUBLE cast down, quantized types. */
  readonly notes: readonly DocumentLine[];
  readonly operators: readonly OperatorRow[];
}

/** Every release with a document, oldest first. */
export const OPERATOR_DOCUMENTS: readonly OperatorDocument[] = [
  d7_0,
  d7_1,
  d7_2,
  d8_0,
  d8_2,
  d8_4,
  d8_5,
  d8_6,
  d9_0,
  d9_1,
  d9_2,
  d9_3,
  d10_0,
  d10_1,
  d10_14,
  d10_15,
  d10_16,
  d11_1,
] as readonly OperatorDocument[];

/** The source of a document line (a row, the opset sentence, a note), with its line in the URL. */
export function documentSource(doc: OperatorDocument, line?: number): RuleSource {
  const ref = doc.source.branch ?? doc.source.pinnedBy ?? doc.source.commit;
  return {
    document: `onnx-tensorrt ${doc.source.path}`,
    version: `TensorRT ${doc.tensorrt} (${ref})`,
    repository: doc.source.repository,
    path: doc.source.path,
    commit: doc.source.commit,
    url: line === undefined ? doc.source.url : `${doc.source.url}#L${line}`,
    ...(line === undefined ? {} : { row: line }),
  };
}
