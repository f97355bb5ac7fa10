/**
 * Completion: top-level keys; `fn::` builtins, providers after `fn::open::` and rotators after
 * `fn::rotate::` (whole-block snippets from the catalog); provider/rotator input names and enum
 * values from their schemas; property paths inside `${...}`; environment names in `imports`.
 */
import type { CompletionItem, CompletionList, Position, Range } from 'vscode-languageserver-types';
import { CompletionItemKind, InsertTextFormat, MarkupKind } from './lspKinds';
import { allBuiltins, allProviders, allRotators, allTopLevelKeys, indentSnippet, typeName } from '../catalog/index';
import { calleeOf, calleeOfLongForm, describeSchema, enumValues, inputSchemaAt, OPEN_PREFIX, propertiesOf, requiredOf, ROTATE_PREFIX, type Callee } from './catalogIndex';
import { accessorsOfText } from './scalarInterpolations';
import { flowContext, lineContext, longFormCallee, type ChainKey } from './lineContext';
import type { EscDocument, PathKey } from './model';
import { pathCandidates, type PathCandidate } from './paths';
import type { EnvironmentWorkspace } from './environmentWorkspace';

const RESERVED_VALUE_KEYS = ['environmentVariables', 'files', 'pulumiConfig'];


function markdown(value: string): { kind: 'markdown'; value: string } {
  return { kind: MarkupKind.Markdown, value };
}

/** The innermost `fn::…` key of a key chain and the keys below it. */
function innermostCall(chain: readonly ChainKey[]): { key: string; inner: PathKey[] } | undefined {
  for (let i = chain.length - 1; i >= 0; i--) {
    if (chain[i]!.startsWith('fn::')) return { key: chain[i]!, inner: chain.slice(i + 1) };
  }
  return undefined;
}

/** The callee of a call and the path below it, a long form read as the short form it stands for. */
function resolvedCall(doc: EscDocument, line: number, call: { key: string; inner: PathKey[] }): { callee: Callee | undefined; inner: PathKey[] } {
  const callee = calleeOf(call.key);
  if (!callee || (call.key !== 'fn::open' && call.key !== 'fn::rotate')) return { callee, inner: call.inner };
  return calleeOfLongForm(callee, call.inner, longFormCallee(doc, line, call.key));
}

function siblingKeys(doc: EscDocument, position: Position): Set<string> {
  // Keys already present at the cursor's indentation in the same block (not offered again).
  const lines = doc.text.split(/\r?\n/);
  const current = lines[position.line] ?? '';
  const indent = current.length - current.trimStart().length;
  const out = new Set<string>();
  const scan = (step: number): void => {
    for (let l = position.line + step; l >= 0 && l < lines.length; l += step) {
      const line = lines[l]!;
      if (line.trim().length === 0 || line.trimStart().startsWith('#')) continue;
      const lineIndent = line.length - line.trimStart().length;
      if (lineIndent < indent) return;
      if (lineIndent === indent) {
        const m = /^\s*([^\s:#][^:#]*?):(\s|$)/.exec(line);
        if (m) out.add(m[1]!);
      }
    }
  };
  scan(-1);
  scan(1);
  return out;
}

export function completion(workspace: EnvironmentWorkspace, doc: EscDocument, position: Position): CompletionList {
  const cursor = doc.lines.offsetAt(position);
  const lineCtx = lineContext(doc, position);
  // Inside a one-line flow map/sequence (`key: {a: 1, ‸}`): as if it were written in block style.
  const flow = flowContext(lineCtx, doc.text.slice(cursor, doc.lines.lineEnd(position.line)));
  const ctx = flow?.ctx ?? lineCtx;
  const items: CompletionItem[] = [];
  const range = (start: number): Range => doc.lines.range({ start, end: cursor });

  const flowItem = flowImportItemAt(doc.text, cursor);
  if (flowItem) {
    if (flowItem.kind === 'name') environmentItems(workspace, doc, range(flowItem.start), items, cursor);
    else if (flowItem.kind === 'option') items.push(mergeOptionItem(range(flowItem.start)));
    else for (const value of ['false', 'true']) items.push({ label: value, kind: CompletionItemKind.Value, textEdit: { range: range(flowItem.start), newText: value } });
    return { isIncomplete: false, items };
  }

  if (ctx.kind === 'interpolation') {
    const accessors = accessorsOfText(ctx.text, ctx.textStart, ctx.doubleQuoted);
    const endsWithDot = ctx.text.endsWith('.') || ctx.text.length === 0;
    const parentAccessors = endsWithDot ? accessors.filter((a) => a.span.end > a.span.start || a.key !== '') : accessors.slice(0, -1);
    const parent = parentAccessors.map((a) => a.key).filter((k) => k !== '');
    const last = endsWithDot ? undefined : accessors[accessors.length - 1];
    const start = last ? last.span.start : cursor;
    for (const candidate of pathCandidates(workspace, doc, parent)) items.push(pathItem(candidate, range(start)));
    return { isIncomplete: false, items };
  }

  if (ctx.kind === 'key') {
    const chain = ctx.chain;
    if (chain.length === 0) {
      for (const key of allTopLevelKeys().filter((k) => k.name === 'imports' || k.name === 'values')) {
        items.push({ label: key.name, kind: CompletionItemKind.Keyword, detail: key.summary, documentation: markdown(key.docs), textEdit: { range: range(ctx.prefixStart), newText: `${key.name}:\n  ` } });
      }
      return { isIncomplete: false, items };
    }
    if (chain[0] === 'imports' && chain[chain.length - 1] === '[]') {
      environmentItems(workspace, doc, range(ctx.prefixStart), items, cursor);
      return { isIncomplete: false, items };
    }
    // `- name:` then, indented below it, the options of the long form (`merge`).
    if (chain[0] === 'imports' && chain.length === 3 && chain[1] === '[]') {
      if (!(flow?.present ?? siblingKeys(doc, position)).has('merge')) items.push(mergeOptionItem(range(ctx.prefixStart), ctx.hasColonAfter));
      return { isIncomplete: false, items };
    }
    if (chain[0] !== 'values') return { isIncomplete: false, items };
    const found = innermostCall(chain);
    if (found) {
      const call = resolvedCall(doc, position.line, found);
      const callee = call.callee;
      const schema = callee ? inputSchemaAt(callee, call.inner) : undefined;
      const present = flow?.present ?? siblingKeys(doc, position);
      const required = new Set(requiredOf(schema));
      for (const [name, propSchema] of propertiesOf(schema)) {
        if (present.has(name) && name !== ctx.prefix) continue;
        const description = describeSchema(propSchema);
        items.push({
          label: name,
          kind: CompletionItemKind.Property,
          detail: `${typeName(propSchema)}${required.has(name) ? ' (required)' : ''}`,
          ...(description ? { documentation: markdown(description) } : {}),
          sortText: `${required.has(name) ? '0' : '1'}${name}`,
          textEdit: { range: range(ctx.prefixStart), newText: ctx.hasColonAfter ? name : `${name}: ` },
        });
      }
      // Builtins are also valid as expressions inside inputs (not directly under a rotator call);
      // their snippets are block style, so not inside a flow map.
      if (!flow && !(callee?.kind === 'rotator' && call.inner.length === 0) && !(callee?.kind === 'builtin' && call.inner.length === 0)) builtinItems(ctx, range(ctx.prefixStart), items);
      return { isIncomplete: false, items };
    }
    if (flow) return { isIncomplete: false, items };
    builtinItems(ctx, range(ctx.prefixStart), items);
    if (chain.length === 1 && !ctx.prefix.startsWith('fn::')) {
      for (const key of allTopLevelKeys().filter((k) => RESERVED_VALUE_KEYS.includes(k.name))) {
        items.push({ label: key.name, kind: CompletionItemKind.Keyword, detail: key.summary, documentation: markdown(key.docs), textEdit: { range: range(ctx.prefixStart), newText: `${key.name}:\n${' '.repeat(ctx.column + 2)}` } });
      }
    }
    return { isIncomplete: false, items };
  }

  // Value position.
  const chain = [...ctx.chain, ctx.key];
  if (chain[0] === 'imports' && chain[chain.length - 1] === 'merge' && chain.length === 4) {
    for (const value of ['false', 'true']) items.push({ label: value, kind: CompletionItemKind.Value, textEdit: { range: range(ctx.prefixStart), newText: value } });
    return { isIncomplete: false, items };
  }
  if (chain[0] === 'imports') return { isIncomplete: false, items };
  if (chain[0] !== 'values') return { isIncomplete: false, items };
  const found = innermostCall(chain.slice(0, -1));
  if (found) {
    const call = resolvedCall(doc, position.line, found);
    const callee = call.callee;
    const inner = [...call.inner, ctx.key];
    if (callee?.kind === 'builtin' && (callee.name === 'fn::open' || callee.name === 'fn::rotate') && inner.length === 1 && ctx.key === 'provider') {
      const specs = callee.name === 'fn::open' ? allProviders() : allRotators();
      for (const spec of specs) items.push({ label: spec.name, kind: CompletionItemKind.Module, detail: spec.summary, documentation: markdown(spec.docs), textEdit: { range: range(ctx.prefixStart), newText: spec.name } });
      return { isIncomplete: false, items };
    }
    const schema = callee ? inputSchemaAt(callee, inner) : undefined;
    for (const value of enumValues(schema)) {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      items.push({ label: text, kind: CompletionItemKind.EnumMember, textEdit: { range: range(ctx.prefixStart), newText: text } });
    }
  }
  return { isIncomplete: false, items };
}

function mergeOptionItem(replace: Range, hasColonAfter = false): CompletionItem {
  return {
    label: 'merge',
    kind: CompletionItemKind.Property,
    detail: 'boolean',
    documentation: markdown('`merge: false` imports the environment without merging its values into this one: read them through `${imports.<name>...}`.'),
    textEdit: { range: replace, newText: hasColonAfter ? 'merge' : 'merge: false' },
  };
}

/**
 * Where the cursor is inside a flow-style `imports: [a, {b: {merge: false}}, ‸]`, read from the
 * text (while typing, the sequence is often unclosed): an item's name, an option key of the
 * long form, or an option's value. Undefined outside such a sequence.
 */
export function flowImportItemAt(text: string, cursor: number): { kind: 'name' | 'option' | 'optionValue'; start: number } | undefined {
  const header = /^imports:[ \t]*\[/gm;
  let open = -1;
  for (let m = header.exec(text); m && m.index < cursor; m = header.exec(text)) open = m.index + m[0].length;
  if (open < 0) return undefined;
  // Later lines of a flow sequence are indented; a line at column 0 ends it.
  if (/\n(?![ \t\r\n\]}])/.test(text.slice(open, cursor))) return undefined;
  const stack: string[] = ['['];
  let itemStart = open;
  let afterColon = false;
  for (let i = open; i < cursor; i++) {
    const ch = text[i]!;
    if (ch === '"' || ch === "'") {
      const close = text.indexOf(ch, i + 1);
      if (close < 0 || close >= cursor) {
        // An open quote: the cursor is inside a quoted name.
        return stack.length === 1 || (stack.length === 2 && stack[1] === '{' && !afterColon) ? { kind: 'name', start: i + 1 } : undefined;
      }
      i = close;
    } else if (ch === '#' && /\s/.test(text[i - 1] ?? ' ')) {
      const eol = text.indexOf('\n', i);
      if (eol < 0 || eol >= cursor) return undefined;
      i = eol;
    } else if (ch === '[' || ch === '{') {
      stack.push(ch);
      itemStart = i + 1;
      afterColon = false;
    } else if (ch === ']' || ch === '}') {
      stack.pop();
      if (stack.length === 0) return undefined;
    } else if (ch === ',') {
      itemStart = i + 1;
      afterColon = false;
    } else if (ch === ':' && /[\s,\]}]/.test(text[i + 1] ?? ' ')) {
      itemStart = i + 1;
      afterColon = true;
    }
  }
  let start = itemStart;
  while (start < cursor) {
    if (/\s/.test(text[start]!)) start++;
    else if (text[start] === '#') start = text.indexOf('\n', start) + 1 || cursor;
    else break;
  }
  // `[a, ‸]` and `[{‸: …}]`: a name; `[{a: {‸}}]`: an option; `[{a: {merge: ‸}}]`: its value.
  if (stack.length === 1 && !afterColon) return { kind: 'name', start };
  if (stack.length === 2 && stack[1] === '{' && !afterColon) return { kind: 'name', start };
  if (stack.length === 3 && stack[2] === '{') return { kind: afterColon ? 'optionValue' : 'option', start };
  return undefined;
}

function environmentItems(workspace: EnvironmentWorkspace, doc: EscDocument, replace: Range, items: CompletionItem[], cursor: number): void {
  // The entry being typed over is offered again (it is replaced, not added).
  const already = new Set(doc.imports.filter((i) => cursor < i.span.start || cursor > i.span.end).map((i) => i.name));
  for (const name of workspace.environmentNames()) {
    if (name === doc.envName || already.has(name)) continue;
    items.push({ label: name, kind: CompletionItemKind.Module, detail: 'environment', textEdit: { range: replace, newText: name } });
  }
}

function builtinItems(ctx: { prefix: string; column: number; hasColonAfter: boolean }, replace: Range, items: CompletionItem[]): void {
  const prefix = ctx.prefix;
  const block = !ctx.hasColonAfter;
  const wantProviders = prefix.startsWith(OPEN_PREFIX) || !prefix.startsWith('fn::o') ? true : 'fn::open::'.startsWith(prefix);
  const wantRotators = prefix.startsWith(ROTATE_PREFIX) || !prefix.startsWith('fn::r') ? true : 'fn::rotate::'.startsWith(prefix);
  const onlyProviders = prefix.startsWith(OPEN_PREFIX);
  const onlyRotators = prefix.startsWith(ROTATE_PREFIX);
  if (!onlyProviders && !onlyRotators) {
    for (const builtin of allBuiltins()) {
      items.push({
        label: builtin.name,
        kind: CompletionItemKind.Function,
        detail: builtin.summary,
        documentation: markdown(builtin.docs),
        sortText: `1${builtin.name}`,
        ...(block ? { insertTextFormat: InsertTextFormat.Snippet, textEdit: { range: replace, newText: indentSnippet(builtin.snippet, ' '.repeat(ctx.column)) } } : { textEdit: { range: replace, newText: builtin.name } }),
      });
    }
  }
  if (!onlyRotators && wantProviders) {
    for (const spec of allProviders()) {
      const label = OPEN_PREFIX + spec.name;
      items.push({
        label,
        kind: CompletionItemKind.Module,
        detail: spec.summary,
        documentation: markdown(spec.docs),
        filterText: label,
        sortText: `2${label}`,
        ...(block ? { insertTextFormat: InsertTextFormat.Snippet, textEdit: { range: replace, newText: indentSnippet(spec.snippet, ' '.repeat(ctx.column)) } } : { textEdit: { range: replace, newText: label } }),
      });
    }
  }
  if (!onlyProviders && wantRotators) {
    for (const spec of allRotators()) {
      const label = ROTATE_PREFIX + spec.name;
      items.push({
        label,
        kind: CompletionItemKind.Event,
        detail: spec.summary,
        documentation: markdown(spec.docs),
        filterText: label,
        sortText: `3${label}`,
        ...(block ? { insertTextFormat: InsertTextFormat.Snippet, textEdit: { range: replace, newText: indentSnippet(spec.snippet, ' '.repeat(ctx.column)) } } : { textEdit: { range: replace, newText: label } }),
      });
    }
  }
}

function pathItem(candidate: PathCandidate, replace: Range): CompletionItem {
  const kind =
    candidate.kind === 'object' ? CompletionItemKind.Module : candidate.kind === 'environment' || candidate.kind === 'project' ? CompletionItemKind.Folder : candidate.kind === 'context' ? CompletionItemKind.Keyword : candidate.kind === 'output' ? CompletionItemKind.Field : CompletionItemKind.Property;
  const simple = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(candidate.name);
  return {
    label: candidate.name,
    kind,
    detail: candidate.source,
    ...(candidate.description ? { documentation: markdown(candidate.description) } : {}),
    textEdit: { range: replace, newText: simple ? candidate.name : `[${JSON.stringify(candidate.name)}]` },
  };
}
