/**
 * An environment document: `imports` (names, or `{name: {merge: false}}`), `values` and
 * `description`, parsed with ESC's messages. Parsing never throws; every problem is a located
 * diagnostic, and a best-effort declaration is returned whenever the YAML itself is well-formed.
 */
import type { Diagnostic } from '../syntax/diagnostic';
import type { ObjectNode, StringNode, SyntaxNode } from '../syntax/nodes';
import { parseYaml } from '../syntax/yaml';
import { parseExpr, type BooleanExpr, type Expr, type StringExpr } from './expr';

export interface ImportDecl {
  syntax: SyntaxNode;
  /** The imported environment's name; undefined when the entry is malformed. */
  environment?: StringExpr;
  /** `merge: false` imports are reachable as `${imports.name}` but not merged into the result. */
  merge?: BooleanExpr;
}

export interface ValueEntry {
  key: StringExpr;
  value: Expr;
}

export interface EnvironmentDecl {
  name: string;
  syntax?: SyntaxNode;
  description?: StringExpr;
  imports: ImportDecl[];
  /** The `imports` list node, when present. */
  importsSyntax?: SyntaxNode;
  values: ValueEntry[];
  /** The `values` mapping node, when present. */
  valuesSyntax?: SyntaxNode;
}

export interface ParsedEnvironment {
  /** Undefined when the YAML is malformed (no environment can be evaluated). */
  decl?: EnvironmentDecl;
  diagnostics: Diagnostic[];
}

function nodeError(node: SyntaxNode, summary: string, severity: 1 | 2 = 1): Diagnostic {
  return { severity, summary, path: node.path, range: node.range };
}

function parseImport(node: SyntaxNode, diags: Diagnostic[]): ImportDecl {
  if (node.kind === 'string') return { syntax: node, environment: { kind: 'string', value: node.value, syntax: node } };
  if (node.kind === 'object') {
    if (node.entries.length !== 1) {
      diags.push(nodeError(node, 'import must have a single key'));
      return { syntax: node };
    }
    const { key, value } = node.entries[0];
    const decl: ImportDecl = { syntax: node };
    if (key.kind === 'string') decl.environment = { kind: 'string', value: key.value, syntax: key };
    if (value.kind !== 'object') {
      diags.push(nodeError(value, 'import must be an object'));
      return decl;
    }
    for (const entry of value.entries) {
      if (entry.key.kind !== 'string' || entry.key.value.toLowerCase() !== 'merge') continue;
      const v = parseExpr(entry.value);
      for (const d of v.diags) diags.push(d);
      if (v.expr.kind === 'boolean') decl.merge = v.expr;
      else diags.push(nodeError(entry.value, 'merge must be a boolean value'));
    }
    return decl;
  }
  diags.push(nodeError(node, 'import must be a string or an object'));
  return { syntax: node };
}

function parseValues(node: ObjectNode, diags: Diagnostic[]): ValueEntry[] {
  const entries: ValueEntry[] = [];
  for (const entry of node.entries) {
    if (entry.key.kind !== 'string') continue;
    const keyNode: StringNode = entry.key;
    if (keyNode.value.startsWith('fn::')) {
      diags.push(nodeError(keyNode, `builtin function call ${JSON.stringify(keyNode.value)} not allowed at the top level`));
    }
    const v = parseExpr(entry.value);
    for (const d of v.diags) diags.push(d);
    entries.push({ key: { kind: 'string', value: keyNode.value, syntax: keyNode }, value: v.expr });
  }
  return entries;
}

/** Parses a syntax tree into an environment declaration. */
export function parseEnvironmentSyntax(name: string, root: SyntaxNode | undefined): ParsedEnvironment {
  const decl: EnvironmentDecl = { name, syntax: root, imports: [], values: [] };
  const diags: Diagnostic[] = [];
  if (root === undefined || root.kind === 'null') return { decl, diagnostics: diags };
  if (root.kind !== 'object') {
    diags.push(nodeError(root, 'environment must be an object'));
    return { decl, diagnostics: diags };
  }
  const seen = new Set<string>();
  for (const entry of root.entries) {
    if (entry.key.kind !== 'string') continue;
    const field = entry.key.value.toLowerCase();
    if (field !== 'imports' && field !== 'values' && field !== 'description') continue;
    if (seen.has(field)) diags.push(nodeError(entry.key, `duplicate key ${JSON.stringify(entry.key.value)}`, 2));
    seen.add(field);
    const value = entry.value;
    switch (field) {
      case 'imports':
        decl.importsSyntax = value;
        decl.imports = [];
        if (value.kind === 'null') break;
        if (value.kind !== 'array') {
          diags.push(nodeError(value, 'imports must be a list'));
          break;
        }
        decl.imports = value.elements.map((e) => parseImport(e, diags));
        break;
      case 'values':
        decl.valuesSyntax = value;
        decl.values = [];
        if (value.kind === 'null') break;
        if (value.kind !== 'object') {
          diags.push(nodeError(value, 'values must be an object'));
          break;
        }
        decl.values = parseValues(value, diags);
        break;
      case 'description': {
        if (value.kind === 'null') break;
        const d = parseExpr(value);
        for (const x of d.diags) diags.push(x);
        if (d.expr.kind === 'string') decl.description = d.expr;
        else diags.push(nodeError(value, 'description must be a string'));
        break;
      }
    }
  }
  return { decl, diagnostics: diags };
}

/** Parses an environment's text. Never throws. */
export function parseEnvironment(name: string, text: string): ParsedEnvironment {
  const yaml = parseYaml(name, text);
  if (yaml.diagnostics.some((d) => d.severity === 1)) {
    return { diagnostics: yaml.diagnostics };
  }
  const parsed = parseEnvironmentSyntax(name, yaml.root);
  return { decl: parsed.decl, diagnostics: [...yaml.diagnostics, ...parsed.diagnostics] };
}
