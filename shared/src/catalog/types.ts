/**
 * Shapes of the provider/rotator/builtin catalog. The catalog is pure data: it performs no
 * I/O and knows nothing of editors; the language service, the evaluator's check mode and the
 * CLI read it.
 */
import type { ObjectSchema, Schema } from '../schema/schema';

export type CatalogKind = 'provider' | 'rotator';

/** One documented ESC provider (`fn::open::<name>`) or rotator (`fn::rotate::<name>`). */
export interface CatalogEntry {
  name: string;
  kind: CatalogKind;
  /** One line, plain text, no trailing period. */
  summary: string;
  /** Markdown: the summary, prose and an inputs/outputs table generated from the schemas. */
  docs: string;
  /** The public documentation page. */
  url: string;
  /** Input schema (always an object schema with `properties`). */
  inputs: ObjectSchema;
  /** Rotators only: the persistent state written back into the document. */
  state?: ObjectSchema;
  /** The value the builtin evaluates to. */
  outputs: Schema;
  /** Rotators only: top-level inputs that are evaluated only while rotating (e.g. managing credentials). */
  rotateOnly: string[];
  /**
   * An LSP/VS Code snippet (`${1:placeholder}` tab stops, `\$` for a literal dollar) of the whole
   * block, starting with the `fn::open::<name>:` / `fn::rotate::<name>:` key at column 0 and
   * indented by two spaces per level. Re-indent every line after the first to insert it deeper.
   */
  snippet: string;
}

/** One `fn::` builtin function. */
export interface BuiltinDoc {
  /** Full key, e.g. `fn::join`. */
  name: string;
  summary: string;
  docs: string;
  url: string;
  /** Snippet of the whole key/value, starting with the key at column 0. */
  snippet: string;
}

/** One reserved top-level key of an environment document. */
export interface TopLevelKeyDoc {
  name: string;
  summary: string;
  docs: string;
  url: string;
  snippet: string;
}
