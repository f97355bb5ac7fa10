/**
 * Rotations that never ran: `fn::rotate` values with no `state` yet, in an environment and the
 * environments it imports. Such a value has no outputs (`current`, `previous`) until its first
 * rotation, so anything that reads them fails; `esc-local open` names these rotations so the user
 * knows what to run first (the shipped examples are in this state until both rotations ran).
 */
import { parseEnvironment } from '../../../../shared/src/ast/environment';
import type { SyntaxNode } from '../../../../shared/src/syntax/nodes';

export interface UnrotatedValue {
  /** The environment whose file holds the `fn::rotate` value. */
  environment: string;
  /** Its path under `values` (`db.password`). */
  path: string;
  /** `fn::rotate::password`, or `fn::rotate` for the long form. */
  rotator: string;
  /** Where the value is written in the environment's file (1-based, as diagnostics are). */
  line: number;
  column: number;
}

/** Every never-rotated `fn::rotate` value of `environment` and its imports (each file once), imports first. */
export function unrotatedValues(environment: string, readText: (environment: string) => string | undefined): UnrotatedValue[] {
  const found: UnrotatedValue[] = [];
  const visited = new Set<string>();
  const visit = (name: string): void => {
    if (visited.has(name)) return;
    visited.add(name);
    const text = readText(name);
    if (text === undefined) return;
    const decl = parseEnvironment(name, text).decl;
    if (decl === undefined) return;
    for (const imported of decl.imports) if (imported.environment !== undefined) visit(imported.environment.value);
    for (const entry of decl.values) collect(entry.value, name, found);
  };
  visit(environment);
  return found;
}

/**
 * Walks an expression tree generically (every field but `syntax`), so that a rotation nested in
 * any builtin's arguments is found without listing the builtins here.
 */
function collect(node: unknown, environment: string, found: UnrotatedValue[]): void {
  if (Array.isArray(node)) {
    for (const item of node) collect(item, environment, found);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const expr = node as { kind?: unknown; state?: { kind?: unknown; syntax?: unknown }; syntax?: SyntaxNode; name?: { value?: string } };
  // The parser stands in a synthesized null (no syntax) for a missing `state`: never rotated.
  if (expr.kind === 'rotate' && expr.state?.kind === 'null' && expr.state.syntax === undefined) {
    const docPath = expr.syntax?.path ?? '';
    const begin = expr.syntax?.range.begin ?? { line: 0, column: 0 };
    found.push({ environment, path: docPath.replace(/^values\.?/, ''), rotator: expr.name?.value ?? 'fn::rotate', line: begin.line, column: begin.column });
  }
  for (const [key, value] of Object.entries(node)) if (key !== 'syntax') collect(value, environment, found);
}
