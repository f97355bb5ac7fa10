/**
 * A located problem in an environment file, as ESC reports it (pulumi/esc `syntax/diags.go`):
 * every layer above — parser, AST, schema validation, evaluator, language service — speaks this type.
 */
import type { Range } from './range';

export type Severity = 1 | 2; // 1 = error, 2 = warning (the corpus's numbering)

export interface Diagnostic {
  severity: Severity;
  summary: string;
  detail?: string;
  /** The document path of the offending node, in ESC property-path syntax (e.g. `values.a["b"][0]`). */
  path: string;
  range: Range;
}
