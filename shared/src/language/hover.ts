/**
 * Hover: builtin/provider/rotator documentation, the schema of provider inputs, and for values
 * and references their checked value (redacted), where they are defined, which import they came
 * from and which import they override.
 */
import type { Hover, Position } from 'vscode-languageserver-types';
import { MarkupKind } from './lspKinds';
import { findTopLevelKey } from '../catalog/index';
import { calleeOf, calleeOfLongForm, inputSchemaAt, OPEN_PREFIX, requiredOf, ROTATE_PREFIX } from './catalogIndex';
import { lineContext, longFormCallee } from './lineContext';
import { isScalar, nodeSpan, type EscDocument, type PathKey, type PropertyNode } from './model';
import { formatAccess } from '../syntax/interpolation';
import { resolvePath, targetAt, type Resolution } from './resolve';
import { nodeSchema, refSchema, renderSchemaSummary, summarizeSchema, type SchemaSummary } from './schemas';
import { kindOfValue, renderValue, valueAtPath, type CheckedValues } from './checkedValues';
import type { EnvironmentWorkspace } from './environmentWorkspace';

function markdown(value: string, doc: EscDocument, span: { start: number; end: number }): Hover {
  return { contents: { kind: MarkupKind.Markdown, value }, range: doc.lines.range(span) };
}

function definedWhere(resolution: Resolution, current: EscDocument): string[] {
  const lines: string[] = [];
  const winner = resolution.exact[0] ?? resolution.prefix;
  if (!winner) return ['Not defined in the workspace.'];
  const line = winner.doc.lines.positionAt(winner.property.keySpan.start).line + 1;
  const where = winner.doc.uri === current.uri ? `this environment (line ${line})` : `\`${winner.doc.envName}\` (line ${line})`;
  lines.push(`Defined in ${where}${winner.via && winner.doc.uri !== current.uri ? `, imported via \`${winner.via.name}\`` : ''}${resolution.exact.length === 0 ? ` as \`${formatAccess(winner.property.path)}\`` : ''}.`);
  const overridden = resolution.exact[1];
  if (overridden) lines.push(`Overrides the value from \`${overridden.doc.envName}\`${overridden.via && overridden.doc.uri !== winner.doc.uri ? ` (imported via \`${overridden.via.name}\`)` : ''}.`);
  return lines;
}

/**
 * The schema (from the evaluator's per-expression schemas) and the redacted checked value. The
 * value's secret flag also hides the schema's enum: a schema never shows a secret.
 */
function valueSection(values: CheckedValues | undefined, envName: string, path: readonly PathKey[], schema: SchemaSummary | undefined): string[] {
  const value = valueAtPath(values?.valuesOf(envName), path);
  const lines: string[] = [];
  if (schema) lines.push(...renderSchemaSummary(schema, { valueSecret: value?.secret === true, unknown: value?.unknown === true }));
  else if (value) lines.push(`Type: \`${kindOfValue(value)}\``);
  if (value) lines.push('```json\n' + renderValue(value) + '\n```');
  return lines;
}

export function hover(workspace: EnvironmentWorkspace, doc: EscDocument, position: Position, values?: CheckedValues): Hover | null {
  const offset = doc.lines.offsetAt(position);
  // Builtin, provider and rotator names.
  for (const call of doc.builtins) {
    if (offset < call.nameSpan.start || offset > call.nameSpan.end) continue;
    const callee = calleeOf(call.name);
    if (!callee) continue;
    if (callee.kind === 'builtin') return markdown(callee.doc ? callee.doc.docs : `Unknown builtin \`${call.name}\`.`, doc, call.nameSpan);
    return markdown(callee.spec ? callee.spec.docs : `Unknown ${callee.kind} \`${callee.name}\`.`, doc, call.nameSpan);
  }
  // Reserved top-level keys.
  for (const span of [doc.importsKeySpan, doc.valuesKeySpan]) {
    if (span && offset >= span.start && offset <= span.end) {
      const entry = findTopLevelKey(doc.text.slice(span.start, span.end));
      if (entry) return markdown(entry.docs, doc, span);
    }
  }
  const target = targetAt(doc, offset);
  if (target?.kind === 'import') {
    const imported = workspace.documentByName(target.entry.name);
    const lines = [`**Import** \`${target.entry.name}\``];
    if (!imported) lines.push('Environment not found in the workspace.');
    else {
      lines.push(`File: \`${imported.uri}\``);
      const keys = imported.properties.filter((p) => p.path.length === 1).map((p) => `\`${p.key}\``);
      if (keys.length > 0) lines.push(`Values: ${keys.join(', ')}`);
    }
    if (!target.entry.merge) lines.push('Not merged (`merge: false`): read it through `${imports.' + target.entry.name + '...}`.');
    return markdown(lines.join('\n\n'), doc, target.entry.span);
  }
  if (target?.kind === 'reference') {
    const keys = target.interpolation.accessors.slice(0, target.accessorIndex + 1).map((a) => a.key);
    const lines = [`**\${${formatAccess(keys)}}**`];
    if (keys[0] === 'context') lines.push('The execution context (known when the environment is opened).');
    const resolution = resolvePath(workspace, doc, keys);
    // The evaluator's schema of the accessed value (also for `context.*` and `environments.*`).
    const schema = refSchema(values?.schemasOf?.(doc.envName), keys);
    if (resolution) {
      // Imported values are merged into this environment's checked values; `environments.*` reads the other one.
      const fromHere = keys[0] !== 'environments' ? valueSection(values, doc.envName, keys, schema) : [];
      lines.push(...(fromHere.length > 0 ? fromHere : valueSection(values, resolution.envName, resolution.path, schema)));
      lines.push(...definedWhere(resolution, doc));
    } else if (schema) {
      lines.push(...renderSchemaSummary(schema));
    } else if (keys[0] !== 'context') {
      lines.push('Not defined in the workspace.');
    }
    return markdown(lines.join('\n\n'), doc, target.accessor.span);
  }
  if (target?.kind === 'property') {
    const path = target.property.path;
    const lines = [`**${formatAccess(path)}**`];
    lines.push(...valueSection(values, doc.envName, path, nodeSchema(values?.schemasOf?.(doc.envName), path)));
    const resolution = resolvePath(workspace, doc, path);
    const overridden = resolution?.exact.find((d) => d.doc.uri !== doc.uri);
    if (overridden) lines.push(`Overrides the value from \`${overridden.doc.envName}\`${overridden.via ? ` (imported via \`${overridden.via.name}\`)` : ''}.`);
    return markdown(lines.join('\n\n'), doc, target.property.keySpan);
  }
  // On a plain scalar value (not a reference): the value of the property holding it.
  let holder: PropertyNode | undefined;
  for (const property of doc.properties) {
    const span = nodeSpan(property.value);
    if (span && offset >= span.start && offset <= span.end && isScalar(property.value) && (!holder || property.path.length > holder.path.length)) holder = property;
  }
  if (holder) {
    const lines = [`**${formatAccess(holder.path)}**`, ...valueSection(values, doc.envName, holder.path, nodeSchema(values?.schemasOf?.(doc.envName), holder.path))];
    return markdown(lines.join('\n\n'), doc, nodeSpan(holder.value)!);
  }
  // Inputs of provider/rotator calls: the schema of the key under the cursor.
  const ctx = lineContext(doc, position);
  if (ctx.kind === 'key' || ctx.kind === 'value') {
    const lineText = doc.text.slice(doc.lines.lineStart(position.line), doc.lines.lineEnd(position.line));
    const match = /^(\s*(?:-\s+)?)([^\s:#][^:#]*?):(\s|$)/.exec(lineText);
    if (!match) return null;
    const keyStart = doc.lines.lineStart(position.line) + match[1]!.length;
    const keyEnd = keyStart + match[2]!.length;
    // On the key, or on a one-line scalar value after it (the same input's schema).
    const rest = lineText.slice(match[0].length).replace(/\s+#.*$/, '').trimEnd();
    const valueStart = doc.lines.lineStart(position.line) + match[0].length + (rest.length - rest.trimStart().length);
    const valueEnd = doc.lines.lineStart(position.line) + match[0].length + rest.length;
    const onValue = rest.trim() !== '' && offset >= valueStart && offset <= valueEnd;
    if (!onValue && (offset < keyStart || offset > keyEnd)) return null;
    const hovered = onValue ? { start: valueStart, end: valueEnd } : { start: keyStart, end: keyEnd };
    const chain = ctx.chain;
    for (let i = chain.length - 1; i >= 0; i--) {
      if (!chain[i]!.startsWith('fn::')) continue;
      const written = calleeOf(chain[i]!);
      if (!written) return null;
      const longForm = chain[i] === 'fn::open' || chain[i] === 'fn::rotate' ? longFormCallee(doc, position.line, chain[i] as 'fn::open' | 'fn::rotate') : undefined;
      const { callee, inner } = calleeOfLongForm(written, [...chain.slice(i + 1), match[2]!], longForm);
      const schema = inputSchemaAt(callee, inner);
      if (schema === undefined) return null;
      const parent = inputSchemaAt(callee, inner.slice(0, -1));
      const required = requiredOf(parent).includes(match[2]!);
      const summary = summarizeSchema(schema) ?? { type: 'any', secret: false };
      const lines = [`**${match[2]}**`, ...renderSchemaSummary(summary, { required })];
      lines.push(`Input of \`${callee.kind === 'builtin' ? callee.name : `${callee.kind === 'provider' ? OPEN_PREFIX : ROTATE_PREFIX}${callee.name}`}\`.`);
      return markdown(lines.join('\n\n'), doc, hovered);
    }
  }
  return null;
}
