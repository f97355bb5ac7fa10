/**
 * Redaction of an environment definition for display (history views, diffs, previews): every
 * `fn::secret` value is replaced by `[secret]`, or `[ciphertext]` for the `ciphertext` of the
 * encrypted form, and every other byte stays as it was. The secrets are found on the parsed
 * document, so any scalar style (quoted keys, block scalars, multi-line flow scalars), flow maps
 * and nesting are covered; a document that does not parse is cut before anything that could be
 * a secret rather than guessed at.
 */
import * as YAML from 'yaml';
import { findLimitExcess } from '../syntax/limits';
import type { LiteralTree } from '../syntax/literalTree';
import { applyEdits, parseDocument, YamlText, type Edit } from './edit';
import { PatchError } from './valueToYaml';

export const SECRET_PLACEHOLDER = '[secret]';
export const CIPHERTEXT_PLACEHOLDER = '[ciphertext]';

const SECRET_KEY = 'fn::secret';
const CIPHERTEXT_KEY = 'ciphertext';

function isKey(node: unknown, name: string): boolean {
  return YAML.isScalar(node) && node.value === name;
}

/** Returns `text` with every `fn::secret` value replaced by a placeholder. Never throws for bad YAML. */
export function redactSecrets(text: string): string {
  const excess = findLimitExcess(text);
  if (excess !== undefined) return redactUnparsed(text, new PatchError(excess.message));
  let doc: YAML.Document.Parsed;
  try {
    doc = parseDocument(text);
  } catch (e) {
    if (e instanceof PatchError) return redactUnparsed(text, e);
    throw e;
  }
  return applyEdits(text, [...secretEdits(new YamlText(text), doc.contents, (alias) => alias.resolve(doc)).values()]);
}

/**
 * Where the secrets of `text` are, for displays that keep every other character in place (source
 * excerpts): the source span of every scalar under a `fn::secret`, in any form (string, map, list,
 * anchored elsewhere). A document that does not parse, or is over the size/nesting limits, has no
 * reliable structure: nothing from the line of the first `fn::secret` (or backslash) on may be
 * shown (`hiddenFrom`). `tree`: the text's one parse (syntax/literalTree.ts), when the caller
 * holds it; read instead of parsing again when it is the very tree this function's own parse
 * would give (built by the fast path: no YAML error, strict or not, and no anchors or aliases).
 */
export function secretSpans(text: string, tree?: LiteralTree): { spans: { start: number; end: number }[]; hiddenFrom?: number } {
  if (tree?.fast === true && tree.text === text) {
    // (The fast path declines anchors and aliases; should one ever be met, the own parse decides.)
    let aliased = false;
    const edits = secretEdits(new YamlText(text), tree.contents, () => (aliased = true, undefined));
    if (!aliased) return { spans: spansOf(edits) };
  }
  let doc: YAML.Document.Parsed | undefined;
  if (findLimitExcess(text) === undefined) {
    try {
      doc = parseDocument(text);
    } catch (e) {
      if (!(e instanceof PatchError)) throw e;
    }
  }
  if (doc === undefined) {
    const markers = [text.indexOf(SECRET_KEY), text.indexOf('\\')].filter((i) => i >= 0);
    return { spans: [], ...(markers.length > 0 ? { hiddenFrom: new YamlText(text).lineStart(Math.min(...markers)) } : {}) };
  }
  return { spans: spansOf(secretEdits(new YamlText(text), doc.contents, (alias) => alias.resolve(doc))) };
}

function spansOf(edits: Map<number, Edit>): { start: number; end: number }[] {
  return [...edits.values()].map((e) => ({ start: e.start, end: e.end }));
}

/**
 * The edits that hide secret scalars of the tree `contents`, by start offset (an aliased scalar
 * is reached more than once; `resolve` gives the node an alias stands for).
 */
function secretEdits(t: YamlText, contents: unknown, resolve: (alias: YAML.Alias) => unknown): Map<number, Edit> {
  const edits = new Map<number, Edit>();
  const hidden = new Set<unknown>();

  const hideScalar = (node: YAML.Scalar, placeholder: string): void => {
    const range = node.range;
    if (range === undefined || range === null || range[0] === range[1]) return; // empty: nothing to hide
    const start = range[0];
    const end = t.contentEnd(node);
    // A block scalar's header line may carry a comment; it is not part of the secret.
    const isBlock = node.type === YAML.Scalar.BLOCK_LITERAL || node.type === YAML.Scalar.BLOCK_FOLDED;
    const headerComment = isBlock ? (/[ \t]+#.*$/.exec(t.text.slice(start, t.lineEnd(start)))?.[0] ?? '') : '';
    if (!edits.has(start)) edits.set(start, { start, end, text: placeholder + headerComment });
  };

  // Everything inside a secret's value is hidden: keys too, except the structural `ciphertext`
  // and `fn::secret`; an alias is followed so the anchored text is hidden where it stands.
  const hide = (node: unknown, placeholder: string): void => {
    if (hidden.has(node)) return;
    hidden.add(node);
    if (YAML.isAlias(node)) hide(resolve(node), placeholder);
    else if (YAML.isScalar(node)) hideScalar(node, placeholder);
    else if (YAML.isSeq(node)) for (const item of node.items) hide(item, placeholder);
    else if (YAML.isMap(node)) {
      for (const pair of node.items) {
        const structural = isKey(pair.key, CIPHERTEXT_KEY) || isKey(pair.key, SECRET_KEY);
        if (!structural) hide(pair.key, SECRET_PLACEHOLDER);
        hide(pair.value, isKey(pair.key, CIPHERTEXT_KEY) ? CIPHERTEXT_PLACEHOLDER : SECRET_PLACEHOLDER);
      }
    }
  };

  // Any `fn::secret` entry counts, even beside other keys (which ESC would reject), and keys are
  // searched too: the display must not leak whatever the evaluator thinks of the document.
  const walk = (node: unknown): void => {
    if (YAML.isSeq(node)) for (const item of node.items) walk(item);
    else if (YAML.isMap(node)) {
      for (const pair of node.items) {
        if (isKey(pair.key, SECRET_KEY)) {
          hide(pair.value, SECRET_PLACEHOLDER);
        } else {
          walk(pair.key);
          walk(pair.value);
        }
      }
    }
  };
  walk(contents);
  return edits;
}

/**
 * A document that does not parse has no reliable structure, so its text is shown only up to the
 * line holding the first `fn::secret` — or the first backslash, since a double-quoted escape can
 * spell that key without containing it — and a comment says why the rest is hidden.
 */
function redactUnparsed(text: string, error: PatchError): string {
  const markers = [text.indexOf(SECRET_KEY), text.indexOf('\\')].filter((i) => i >= 0);
  if (markers.length === 0) return text;
  const t = new YamlText(text);
  const cut = t.lineStart(Math.min(...markers));
  const at = error.line === undefined ? '' : ` (line ${error.line}, column ${error.column ?? 1})`;
  const { line } = t.position(cut);
  return `${text.slice(0, cut)}# [hidden from line ${line} on: this definition is not valid YAML${at}, so its secrets cannot be located]${t.newline}`;
}
