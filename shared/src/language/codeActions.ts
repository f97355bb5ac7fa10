/**
 * Code actions: encrypt a plaintext secret (offered as the client-side command
 * `esc.encryptSecret` — the server never sees key material and never rewrites the secret
 * itself), replace a misspelt builtin/provider/rotator name with the suggestion, and add the
 * missing required inputs of a provider/rotator call.
 */
import type { CodeAction, Diagnostic, Range, TextEdit } from 'vscode-languageserver-types';
import { CodeActionKind } from './lspKinds';
import { isMap, type Node, type YAMLMap } from 'yaml';
import type { Json, Schema } from '../schema/schema';
import { formatAccess } from '../syntax/interpolation';
import { alternatives, calleeOf, calleeOfLongForm, enumValues, inputSchemaAt, propertiesOf, requiredOf } from './catalogIndex';
import { DiagnosticCode, isPlaintextSecret, type PlaintextSecretData, type ReplacementData } from './diagnostics';
import { nodeSpan, pairKey, type BuiltinCall, type EscDocument, type PathKey } from './model';

export const ENCRYPT_SECRET_COMMAND = 'esc.encryptSecret';

/** Arguments of `esc.encryptSecret` (one object): the client encrypts the plaintext at `valueRange`. */
export interface EncryptSecretArgs {
  uri: string;
  /** The document version the ranges refer to. */
  version: number;
  /** The plaintext scalar (argument of `fn::secret`). Replace it with `{ciphertext: <base64>}`. */
  valueRange: Range;
  /** ESC document path of the `fn::secret` node, e.g. `values.db.password["fn::secret"]`. */
  path: string;
}

function overlaps(a: Range, b: Range): boolean {
  const before = (x: Range['start'], y: Range['start']): boolean => x.line < y.line || (x.line === y.line && x.character < y.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

export function codeActions(doc: EscDocument, range: Range, diagnostics: Diagnostic[]): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const diagnostic of diagnostics) {
    if (diagnostic.code === DiagnosticCode.PlaintextSecret && diagnostic.data) {
      const data = diagnostic.data as PlaintextSecretData;
      const args: EncryptSecretArgs = { uri: doc.uri, version: doc.version, valueRange: data.valueRange, path: data.path };
      actions.push({ title: 'Encrypt secret', kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: true, command: { title: 'Encrypt secret', command: ENCRYPT_SECRET_COMMAND, arguments: [args] } });
    }
    if ((diagnostic.code === DiagnosticCode.UnknownBuiltin || diagnostic.code === DiagnosticCode.UnknownProvider || diagnostic.code === DiagnosticCode.UnknownRotator || diagnostic.code === DiagnosticCode.Evaluation) && (diagnostic.data as Partial<ReplacementData> | undefined)?.replacement !== undefined) {
      const { replacement, label } = diagnostic.data as ReplacementData;
      actions.push({ title: `Replace with "${label ?? replacement}"`, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: true, edit: { changes: { [doc.uri]: [{ range: diagnostic.range, newText: replacement }] } } });
    }
  }
  // Plaintext secrets under the cursor even without the diagnostic in the request (refactor).
  if (!actions.some((a) => a.command?.command === ENCRYPT_SECRET_COMMAND)) {
    for (const call of doc.builtins) {
      if (!isPlaintextSecret(call)) continue;
      const span = nodeSpan(call.arg);
      if (!span || !overlaps(doc.lines.range(call.span), range)) continue;
      const args: EncryptSecretArgs = { uri: doc.uri, version: doc.version, valueRange: doc.lines.range(span), path: `values.${formatAccess([...call.path, 'fn::secret'])}` };
      actions.push({ title: 'Encrypt secret', kind: CodeActionKind.RefactorRewrite, command: { title: 'Encrypt secret', command: ENCRYPT_SECRET_COMMAND, arguments: [args] } });
    }
  }
  for (const call of doc.builtins) {
    if (!overlaps(doc.lines.range(call.span), range)) continue;
    const edits = missingInputEdits(doc, call);
    if (edits.length === 0) continue;
    // Every inserted line is `name: placeholder`.
    const names = edits.flatMap((e) => e.newText.split('\n').filter((l) => l.trim() !== '').map((l) => l.trim().split(':')[0])).join(', ');
    actions.push({ title: `Add missing required inputs of ${call.name} (${names})`, kind: CodeActionKind.QuickFix, edit: { changes: { [doc.uri]: edits } } });
  }
  return actions;
}

function placeholder(schema: Schema | undefined): string {
  const enums = enumValues(schema);
  if (enums.length > 0) return yamlScalar(enums[0]!);
  const alt = alternatives(schema)[0];
  if (alt?.default !== undefined) return yamlScalar(alt.default);
  if (alt?.type === 'object') return '{}';
  if (alt?.type === 'array') return '[]';
  if (alt?.type === 'number') return '0';
  return '""';
}

function yamlScalar(value: Json): string {
  return typeof value === 'string' && /^[A-Za-z0-9_./-]+$/.test(value) ? value : JSON.stringify(value);
}

/** Insertions of `name: placeholder` lines for every map in the call missing required keys. */
export function missingInputEdits(doc: EscDocument, call: BuiltinCall): TextEdit[] {
  const written = calleeOf(call.name);
  // The long forms `fn::open`/`fn::rotate` with `provider: name` stand for the short form.
  const longForm = (call.name === 'fn::open' || call.name === 'fn::rotate') && isMap(call.arg) ? call.arg.get('provider') : undefined;
  const callee = typeof longForm === 'string' && written ? calleeOfLongForm(written, ['inputs'], longForm).callee : written;
  if (!callee || (callee.kind !== 'provider' && callee.kind !== 'rotator') || !callee.spec) return [];
  const keyStart = doc.lines.positionAt(call.nameSpan.start);
  const edits: TextEdit[] = [];
  const visit = (map: YAMLMap | null, inner: PathKey[], parentColumn: number, parentLineEnd: number): void => {
    const schema = inputSchemaAt(callee, inner);
    const required = requiredOf(schema);
    const present = new Set(map ? map.items.map((p) => pairKey(p)).filter((k): k is string => k !== undefined) : []);
    const missing = required.filter((name) => !present.has(name));
    if (map && !map.flow) {
      for (const pair of map.items) {
        const key = pairKey(pair);
        const keySpan = nodeSpan(pair.key as Node | null);
        if (key === undefined || !keySpan) continue;
        if (isMap(pair.value) && !pair.value.flow) visit(pair.value, [...inner, key], doc.lines.positionAt(keySpan.start).character, doc.lines.lineEnd(doc.lines.positionAt(keySpan.start).line));
        else if (pair.value === null || (pair.value as Node | undefined) === undefined) {
          const childSchema = inputSchemaAt(callee, [...inner, key]);
          if (requiredOf(childSchema).length > 0 && propertiesOf(childSchema).length > 0) visit(null, [...inner, key], doc.lines.positionAt(keySpan.start).character, doc.lines.lineEnd(doc.lines.positionAt(keySpan.start).line));
        }
      }
    }
    if (missing.length === 0) return;
    if (map?.flow) return; // flow maps: too risky to edit textually
    let column = parentColumn + 2;
    let insertAt = parentLineEnd;
    if (map && map.items.length > 0) {
      const first = nodeSpan(map.items[0]!.key as Node | null);
      if (first) column = doc.lines.positionAt(first.start).character;
      const span = nodeSpan(map);
      if (span) {
        let end = span.end;
        while (end > span.start && /\s/.test(doc.text[end - 1]!)) end--;
        insertAt = doc.lines.lineEnd(doc.lines.positionAt(end).line);
      }
    }
    const text = missing.map((name) => `\n${' '.repeat(column)}${name}: ${placeholder(inputSchemaAt(callee, [...inner, name]))}`).join('');
    edits.push({ range: doc.lines.range({ start: insertAt, end: insertAt }), newText: text });
  };
  const callLineEnd = doc.lines.lineEnd(keyStart.line);
  const arg = call.arg;
  if (callee.kind === 'rotator') {
    if (isMap(arg)) {
      const inputsPair = arg.items.find((p) => pairKey(p) === 'inputs');
      if (!inputsPair) visit(arg, [], keyStart.character, callLineEnd);
      else {
        const inputsKey = nodeSpan(inputsPair.key as Node | null)!;
        const p = doc.lines.positionAt(inputsKey.start);
        visit(isMap(inputsPair.value) ? inputsPair.value : null, ['inputs'], p.character, doc.lines.lineEnd(p.line));
      }
    } else if (arg === null) visit(null, [], keyStart.character, callLineEnd);
  } else if (typeof longForm === 'string') {
    // `fn::open: {provider, inputs}`: the provider's inputs are under `inputs`.
    const inputsPair = isMap(arg) ? arg.items.find((p) => pairKey(p) === 'inputs') : undefined;
    const inputsKey = inputsPair ? nodeSpan(inputsPair.key as Node | null) : undefined;
    if (inputsPair && inputsKey) {
      const p = doc.lines.positionAt(inputsKey.start);
      visit(isMap(inputsPair.value) ? inputsPair.value : null, [], p.character, doc.lines.lineEnd(p.line));
    }
  } else if (isMap(arg) || arg === null) {
    visit(isMap(arg) ? arg : null, [], keyStart.character, callLineEnd);
  }
  return edits;
}
