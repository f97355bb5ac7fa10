/**
 * Diagnostics the language service computes from the document itself — YAML syntax, unknown
 * builtin/provider/rotator names (with "did you mean"), plaintext `fn::secret` — and the
 * conversion of the evaluator's located diagnostics (parse, schema, interpolation, cycles,
 * imports, ciphertext) to LSP diagnostics. Each diagnostic carries a `code` and, when a fix
 * exists, `data` the code actions read back.
 */
import type { Diagnostic, Range } from 'vscode-languageserver-types';
import { DiagnosticSeverity } from './lspKinds';
import { isScalar } from 'yaml';
import type { Diagnostic as EvalDiagnostic } from '../syntax/diagnostic';
import type { Range as EscRange } from '../syntax/range';
import { builtinNames, cloudOnlyProviderMessage, providerNames, providerRunsLocally, rotatorNames } from '../catalog/index';
import { didYouMean } from '../schema/suggest';
import { OPEN_PREFIX, ROTATE_PREFIX } from './catalogIndex';
import { formatAccess, parseTemplate } from '../syntax/interpolation';
import { nodeSpan, type BuiltinCall, type EscDocument } from './model';
import type { LineIndex } from './text';

export interface TextWithLines {
  text: string;
  lines: LineIndex;
}

export const SOURCE = 'esc';

export enum DiagnosticCode {
  YamlSyntax = 'yaml-syntax',
  UnknownBuiltin = 'unknown-builtin',
  UnknownProvider = 'unknown-provider',
  UnknownRotator = 'unknown-rotator',
  CloudOnlyProvider = 'cloud-only-provider',
  PlaintextSecret = 'plaintext-secret',
  Evaluation = 'esc',
}

/** `data` of a diagnostic whose fix replaces the range with `replacement`. */
export interface ReplacementData {
  replacement: string;
  /** The suggested name, when the replacement text holds more than the name (e.g. `.name`). */
  label?: string;
}

/** `data` of a plaintext-secret warning: where the plaintext is (the client encrypts it). */
export interface PlaintextSecretData {
  /** ESC document path of the `fn::secret` argument, e.g. `values.db.password["fn::secret"]`. */
  path: string;
  /** The plaintext scalar's range. */
  valueRange: Range;
}

function lsp(doc: EscDocument, span: { start: number; end: number }, message: string, severity: DiagnosticSeverity, code: DiagnosticCode, data?: unknown): Diagnostic {
  return { range: doc.lines.range(span), severity, source: SOURCE, message, code, ...(data !== undefined ? { data } : {}) };
}

export function documentDiagnostics(doc: EscDocument): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const error of doc.syntaxErrors) {
    out.push(lsp(doc, error.span.end > error.span.start ? error.span : { start: error.span.start, end: Math.min(doc.text.length, error.span.start + 1) }, error.message, error.warning ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error, DiagnosticCode.YamlSyntax));
  }
  if (doc.syntaxErrors.some((e) => !e.warning)) return out;
  for (const call of doc.builtins) {
    if (call.name.startsWith(OPEN_PREFIX) || call.name.startsWith(ROTATE_PREFIX)) {
      const open = call.name.startsWith(OPEN_PREFIX);
      const name = call.name.slice((open ? OPEN_PREFIX : ROTATE_PREFIX).length);
      const known = open ? providerNames() : rotatorNames();
      if (known.includes(name)) {
        if (open && !providerRunsLocally(name)) out.push(lsp(doc, call.nameSpan, cloudOnlyProviderMessage(name), DiagnosticSeverity.Warning, DiagnosticCode.CloudOnlyProvider));
        continue;
      }
      const suggestion = didYouMean(name, known);
      const kind = open ? 'provider' : 'rotator';
      const message = `unknown ${kind} "${name}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`;
      out.push(lsp(doc, call.nameSpan, message, DiagnosticSeverity.Error, open ? DiagnosticCode.UnknownProvider : DiagnosticCode.UnknownRotator, suggestion ? ({ replacement: (open ? OPEN_PREFIX : ROTATE_PREFIX) + suggestion } satisfies ReplacementData) : undefined));
    } else if (!builtinNames().includes(call.name)) {
      const suggestion = didYouMean(call.name, builtinNames());
      const message = `unknown builtin function "${call.name}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`;
      out.push(lsp(doc, call.nameSpan, message, DiagnosticSeverity.Error, DiagnosticCode.UnknownBuiltin, suggestion ? ({ replacement: suggestion } satisfies ReplacementData) : undefined));
    }
  }
  for (const call of doc.builtins) {
    if (!isPlaintextSecret(call)) continue;
    const span = nodeSpan(call.arg);
    if (!span) continue;
    const data: PlaintextSecretData = { path: `values.${formatAccess([...call.path, 'fn::secret'])}`, valueRange: doc.lines.range(span) };
    out.push(lsp(doc, span, 'plaintext secret: this value is stored unencrypted in the file; encrypt it', DiagnosticSeverity.Warning, DiagnosticCode.PlaintextSecret, data));
  }
  return out;
}

/**
 * `fn::secret` with a string literal argument: the only plaintext ESC accepts. An interpolation
 * (`${c}`, unclosed included) or a number is no plaintext secret — the evaluator rejects it with
 * "secret values must be string literals" — and `$$` is the escape for a literal `$`.
 */
export function isPlaintextSecret(call: BuiltinCall): boolean {
  const arg = call.arg;
  return call.name === 'fn::secret' && isScalar(arg) && typeof arg.value === 'string' && parseTemplate(arg.value).interpolations.length === 0;
}

/** ESC positions are 1-based lines and code-point columns; LSP counts UTF-16 units. */
/** `doc`: the text positions refer to (a document, or any text with its line index). */
export function toLspRange(doc: TextWithLines, range: EscRange): Range {
  const convert = (line: number, column: number): { line: number; character: number } => {
    const l = Math.max(0, Math.min(line - 1, doc.lines.lineCount - 1));
    const start = doc.lines.lineStart(l);
    const end = doc.lines.lineEnd(l);
    let offset = start;
    for (let cp = 1; cp < column && offset < end; cp++) {
      const code = doc.text.charCodeAt(offset);
      offset += code >= 0xd800 && code <= 0xdbff ? 2 : 1;
    }
    return { line: l, character: offset - start };
  };
  const start = convert(range.begin.line, range.begin.column);
  let end = convert(range.end.line, range.end.column);
  if (end.line < start.line || (end.line === start.line && end.character < start.character)) end = start;
  return { start, end };
}

const UNKNOWN_PROPERTY = /^unknown property "((?:[^"\\]|\\.)*)"; did you mean "((?:[^"\\]|\\.)*)"\?/;

export function evaluatorDiagnostic(doc: TextWithLines, diagnostic: EvalDiagnostic): Diagnostic {
  const range = toLspRange(doc, diagnostic.range);
  const lsp: Diagnostic = {
    range,
    severity: diagnostic.severity === 2 ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error,
    source: SOURCE,
    code: DiagnosticCode.Evaluation,
    message: diagnostic.detail ? `${diagnostic.summary}: ${diagnostic.detail}` : diagnostic.summary,
  };
  // "unknown property "nme"; did you mean "name"?": the fix rewrites the name where it is written
  // (an accessor such as `.nme`, or a provider input key), when it appears there exactly once.
  const match = UNKNOWN_PROPERTY.exec(diagnostic.summary);
  if (match) {
    try {
      const [wrong, right] = [JSON.parse(`"${match[1]}"`) as string, JSON.parse(`"${match[2]}"`) as string];
      const written = doc.text.slice(doc.lines.offsetAt(range.start), doc.lines.offsetAt(range.end));
      if (wrong !== '' && written.split(wrong).length === 2 && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(right)) {
        lsp.data = { replacement: written.replace(wrong, right), label: right } satisfies ReplacementData;
      }
    } catch {
      // not a plain quoted name: no fix
    }
  }
  return lsp;
}

function sameStart(a: Diagnostic, b: Diagnostic): boolean {
  return a.range.start.line === b.range.start.line && a.range.start.character === b.range.start.character;
}

/**
 * The language service's diagnostics plus the evaluator's, without saying the same thing twice:
 * YAML errors come from the document (exact `yaml` positions), unknown names from the
 * document (they carry the fix), everything else from the evaluator.
 */
export function mergeDiagnostics(own: Diagnostic[], evaluated: Diagnostic[]): Diagnostic[] {
  const hasSyntax = own.some((d) => d.code === DiagnosticCode.YamlSyntax && d.severity === DiagnosticSeverity.Error);
  const kept = evaluated.filter((e) => {
    if (hasSyntax) return false; // the evaluator has no environment to speak of
    // Our unknown-name diagnostic says it better (with a suggestion and a fix) than ESC's
    // "unknown provider" / "'fn::' is a reserved prefix" at the same place.
    if (own.some((d) => sameStart(d, e) && String(d.code).startsWith('unknown-'))) return false;
    return !own.some((d) => sameStart(d, e) && messageText(d) === messageText(e));
  });
  const all = [...own, ...kept];
  return all.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}

export function messageText(d: Diagnostic): string {
  return typeof d.message === 'string' ? d.message : d.message.value;
}
