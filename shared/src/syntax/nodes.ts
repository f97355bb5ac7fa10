/**
 * The syntax tree of an ESC environment document: YAML reduced to JSON-like nodes, each with the
 * exact source range ESC reports for it and its document path (e.g. `values.a["b"][0]`).
 */
import type { Range } from './range';

interface NodeBase {
  /** (The decoder builds it on first read: most ranges are never read.) */
  readonly range: Range;
  /** Document path in ESC property-path syntax; '' for the document root. */
  readonly path: string;
  /**
   * The range of a substring of a single-line plain or flow-quoted scalar's value, as ESC's
   * `ScalarRange` computes it (offsets are UTF-8 byte offsets into the decoded value). Undefined when
   * the node cannot map value offsets to source positions (multi-line or quoted scalars).
   */
  scalarRange?(start: number, end: number): Range;
}

export interface NullNode extends NodeBase { kind: 'null' }
export interface BooleanNode extends NodeBase { kind: 'boolean'; value: boolean }
export interface NumberNode extends NodeBase {
  kind: 'number';
  value: number;
  /** The number's canonical text (what ESC prints when the number is turned into a string). */
  text: string;
}
export interface StringNode extends NodeBase { kind: 'string'; value: string }
export interface ArrayNode extends NodeBase { kind: 'array'; elements: SyntaxNode[] }
export interface ObjectEntry {
  /** The key node; a non-string key has been reported and is kept for ranges. */
  key: SyntaxNode;
  value: SyntaxNode;
}
export interface ObjectNode extends NodeBase { kind: 'object'; entries: ObjectEntry[] }

export type SyntaxNode = NullNode | BooleanNode | NumberNode | StringNode | ArrayNode | ObjectNode;
