/**
 * The one parse of an environment's text: the `yaml` package's tree of one document version
 * (YAML 1.2 core schema, exact offsets), with its errors and warnings — built by simpleYaml.ts's
 * fast path, node for node what the package gives, for the YAML environment files are made
 * of, else by the package. It exists for any text,
 * broken YAML included (the `yaml` package is error-tolerant); a text over a limit (size,
 * nesting) is not parsed at all and has an empty tree and the excess. Both readers of a version
 * are built over this one tree: the editor's model (language/model.ts) reads it as it is, and
 * the evaluator's decoder (syntax/yaml.ts) reads each scalar's source text (`Scalar.source`) and
 * resolves it as yaml.v3 does itself, so the schema the tree was parsed with does not matter to
 * ESC's scalar semantics.
 *
 * A text the editor's model parsed is found here by the evaluator (`treeOfText`), so a check of
 * a version in the same thread (the CLI's `check`, the in-process language service) parses it
 * once. The index holds trees weakly: it never keeps a tree alive past its model.
 */
import { parseDocument } from 'yaml';
import type { ParsedNode } from 'yaml';
import { findLimitExcess, type LimitExcess } from './limits';
import { withCheapEnvReads } from './quietEnv';
import { parseSimpleYaml } from './simpleYaml';
import { MODEL_YAML_OPTIONS, parseCounter, parseSegmented, parseSegmentedCached, SegmentCache, type SegmentedTree } from './segments';

export { parseCounter };

/** A YAML error or warning of the parse (the `yaml` package's, or `THROWN` when the parser threw). */
export interface TreeProblem {
  readonly code: string;
  readonly message: string;
  /** UTF-16 offsets [from, to) in the text. */
  readonly pos: readonly [number, number];
}

export interface LiteralTree {
  readonly text: string;
  /** The document's root node: null for an empty document or one over a limit. */
  readonly contents: ParsedNode | null;
  readonly errors: readonly TreeProblem[];
  readonly warnings: readonly TreeProblem[];
  /** The limit the text goes past (then it is not parsed: no tree, no errors). */
  readonly excess?: LimitExcess;
  /**
   * Every node was built by the fast path (simpleYaml.ts, `exactRanges`): the tree is the
   * package's, and the text has no YAML error even under the package's strict parse (which
   * patch/redact.ts's own parse is), so that parse would give this very tree.
   */
  readonly fast?: boolean;
  /** The segments the tree was assembled from (taken over by the next version's parse). */
  segmented?: SegmentedTree;
  /** False once a later version's parse took over this tree's segments (its nodes moved). */
  alive: boolean;
}

/** Trees by text, held weakly: the trees the editor's model keeps, found again by the evaluator. */
const byText = new Map<string, WeakRef<LiteralTree>>();
const forget = new FinalizationRegistry<string>((text) => {
  const ref = byText.get(text);
  if (ref !== undefined && ref.deref() === undefined) byText.delete(text);
});

/**
 * Segments of the texts the evaluator parsed itself (texts no model holds: imports, the checker
 * thread's documents), ~ one 20,000-line file: an edit's check parses only the segments it
 * changed. Such a tree is decoded at once and dropped: its segments serve later parses, the
 * model's too (a file the evaluator read as an import, then opened or checked itself: the model
 * takes the segments over, so that text is parsed once).
 */
const evaluatorSegments = new SegmentCache(600_000);

/**
 * The tree of one version of a document. `previous` (the tree of an earlier version of the same
 * document) lends its unchanged segments and is dead afterwards (its nodes move); `segment:
 * false` parses the text whole (the differential tests compare the two).
 */
export function parseLiteralTree(text: string, previous?: LiteralTree, options: { segment?: boolean } = {}): LiteralTree {
  const whole = options.segment === false;
  const segment = options.segment ?? !firstOfSmallText(text, previous);
  const segmented = segment ? withCheapEnvReads(() => parseSegmented(text, previous?.segmented, evaluatorSegments)) : undefined;
  if (previous) {
    previous.alive = false;
    previous.segmented = undefined;
  }
  // A text the segmenter declines takes the fast path where it can (its nodes are the package's,
  // exactly), unless it is an edit: an edited text the segmenter declines is usually a line half
  // typed, which the fast path too declines, after reading most of the text. `segment: false` is
  // the differential tests' reference: the package, whole.
  const tree = segmented ? { text, contents: segmented.contents, errors: [], warnings: [], segmented, alive: true, fast: segmented.fast } : parseWhole(text, !whole && previous === undefined);
  remember(tree);
  return tree;
}

/**
 * Texts up to this size are parsed whole in their first version: one `yaml` document instead of
 * one per segment (a workspace opened at once is mostly small files: ~15 % of its parse). Their
 * next version is parsed by segment (a few ms at this size), and edits after it re-use segments.
 */
const WHOLE_FIRST_PARSE_CHARS = 16_000;

/** The first version of a small text, with no segment of it from the evaluator's parses to take over. */
function firstOfSmallText(text: string, previous: LiteralTree | undefined): boolean {
  return previous === undefined && text.length <= WHOLE_FIRST_PARSE_CHARS && !evaluatorSegments.holdsSegmentOf(text);
}

function parseWhole(text: string, fastPath = false): LiteralTree {
  const excess = findLimitExcess(text);
  if (excess !== undefined) return { text, contents: null, errors: [], warnings: [], excess, alive: true };
  if (fastPath) {
    const fast = parseSimpleYaml(text, { exactRanges: true });
    if (fast !== undefined) {
      parseCounter.parses++;
      return { text, contents: fast as ParsedNode, errors: [], warnings: [], alive: true, fast: true };
    }
  }
  return parseWithinLimits(text);
}

/** The `yaml` package's parse of a text within the limits. */
function parseWithinLimits(text: string): LiteralTree {
  parseCounter.parses++;
  try {
    const doc = withCheapEnvReads(() => parseDocument(text, MODEL_YAML_OPTIONS));
    return { text, contents: doc.contents, errors: doc.errors, warnings: doc.warnings, alive: true };
  } catch (err) {
    // Never seen; but a parser bug must be a located error, not a crash of every reader.
    return { text, contents: null, errors: [{ code: 'THROWN', message: (err as Error).message, pos: [0, 0] }], warnings: [], alive: true };
  }
}

function remember(tree: LiteralTree): void {
  byText.set(tree.text, new WeakRef(tree));
  forget.register(tree, tree.text);
}

/**
 * The tree of `text` for a reader that is done with it before it returns (the evaluator's
 * decoder): the live tree a model holds for this text, else a parse re-using the segments of the
 * texts parsed this way before (that tree must not be kept: a later parse takes its nodes).
 * A text the segmenter declines takes the fast path of simpleYaml.ts where it can (in the
 * checker thread, which has no model, most such texts): without `exactRanges`, as the decoder
 * reads no range end that comment lines move.
 */
export function treeOfText(text: string): LiteralTree {
  const known = byText.get(text)?.deref();
  if (known?.alive) return known;
  const segmented = withCheapEnvReads(() => parseSegmentedCached(text, evaluatorSegments));
  if (segmented) return { text, contents: segmented.contents, errors: [], warnings: [], alive: false };
  const excess = findLimitExcess(text);
  if (excess !== undefined) return { text, contents: null, errors: [], warnings: [], excess, alive: false };
  const simple = parseSimpleYaml(text);
  if (simple !== undefined) {
    parseCounter.parses++;
    return { text, contents: simple as ParsedNode, errors: [], warnings: [], alive: false };
  }
  return parseWithinLimits(text);
}

/** A whole parse of `text`, kept nowhere (the differential tests compare it with the segmented one). */
export function parseWholeTree(text: string): LiteralTree {
  return parseWhole(text);
}
