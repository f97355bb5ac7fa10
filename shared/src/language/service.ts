/**
 * The ESC language service: every editor feature over the workspace model, with no knowledge of
 * the protocol that carries it (the server is a thin layer over this class). Evaluation is check
 * mode only — providers and rotators never run, nothing is decrypted — through an injected
 * checker, so this module does no I/O of its own.
 */
import type { CodeAction, CompletionList, Diagnostic, DocumentSymbol, FoldingRange, Hover, Location, Position, Range, WorkspaceEdit } from 'vscode-languageserver-types';
import type { Diagnostic as EvalDiagnostic } from '../syntax/diagnostic';
import type { EnvironmentLoader } from '../contract/plugins';
import type { Value } from '../value/value';
import { codeActions } from './codeActions';
import { completion } from './completion';
import { documentDiagnostics, evaluatorDiagnostic, mergeDiagnostics, type TextWithLines } from './diagnostics';
import { importNames, mergeIncremental, mergeOwn, partitionText, planIncremental, pruneImports, remapEvalDiagnostic, reducedDocument, remapLspDiagnostic, remapRange, stubsNeeded, type CheckBasis, type IncrementalPlan, type Partition } from './incremental';
import { layersOf } from './resolve';
import { parseEscDocument, type EscDocument, type ImportEntry } from './model';
import { LineIndex } from './text';
import { foldingRanges } from './folding';
import { hover } from './hover';
import { definition, prepareRename, references, rename } from './navigation';
import { semanticTokens } from './semanticTokens';
import { documentSymbols } from './symbols';
import { mergeSchemaIndex, type LazySchemas, type SchemaIndex } from './schemas';
import { memo, type CheckedValues, type LazyValues } from './checkedValues';
import type { EnvironmentWorkspace } from './environmentWorkspace';

export interface CheckOutcome {
  /** Diagnostics of every environment involved; those of other environments are dropped. */
  diagnostics: EvalDiagnostic[];
  /** The checked top-level values (secrets flagged, unknowns for provider outputs). */
  values?: { [key: string]: Value };
  /**
   * The same, delivered after the diagnostics and decoded on first use (a checker on another
   * thread sends them second, serialized).
   */
  valuesLater?: Promise<LazyValues | undefined>;
  /** The schemas of the values and of every reference (hover), built on first use. */
  schemas?: LazySchemas;
  /** The same index built in steps (see `schemaIndexSteps`), for a checker that builds it between checks. */
  schemaSteps?: () => Generator<void, SchemaIndex>;
  /**
   * The environment could not be evaluated at all (its YAML does not declare one, e.g. a
   * non-string key): the diagnostics are the load diagnostics only. Such a result is no basis
   * for an incremental check, nor the result of one.
   */
  unevaluated?: boolean;
  /** The same, delivered with `valuesLater`. */
  schemasLater?: Promise<LazySchemas | undefined>;
}

/**
 * An outcome's `values` as they are read on first use: the in-process checker exports them only
 * when read (hover), so they are not read here.
 */
function directValues(outcome: CheckOutcome): LazyValues | undefined {
  return Object.getOwnPropertyDescriptor(outcome, 'values') === undefined ? undefined : () => outcome.values;
}

/**
 * Whether an evaluator message is an "unknown property" for a name a kept entry references at
 * the top level (`${name…}`): its "did you mean" looks at every top-level name, stubs included.
 */
function unknownTopLevelName(summary: string, current: Partition, kept: ReadonlySet<string>): boolean {
  const quoted = /^unknown property ("(?:[^"\\]|\\.)*")/.exec(summary)?.[1];
  if (quoted === undefined) return false;
  let name: string;
  try {
    name = JSON.parse(quoted) as string;
  } catch {
    return true;
  }
  return current.entries.some((entry) => kept.has(entry.key) && entry.refs.has(name));
}

/** A reduced check under way: its plan, the reduced document's model, and the checker's answer. */
interface ReducedCheck {
  plan: IncrementalPlan;
  /** The model of the reduced document without stubs, and its lines' places in the document. */
  reducedDoc: EscDocument;
  modelLineMap: number[];
  outcome: Promise<CheckOutcome>;
  /** The entries not re-checked stand in the reduced document as stubs. */
  stubs: boolean;
}

/** Check-mode evaluation of one environment (the evaluator behind an adapter). */
export interface EnvironmentChecker {
  /** `only`: the top-level keys whose values and schemas the caller reads (default: all of them). */
  check(envName: string, loader: EnvironmentLoader, signal?: AbortSignal, only?: ReadonlySet<string>): Promise<CheckOutcome>;
}

/** The root's import entry from which `envName` is reachable through imports, if any. */
export function importEntryLeadingTo(workspace: EnvironmentWorkspace, doc: EscDocument, envName: string): ImportEntry | undefined {
  for (const entry of doc.imports) {
    const seen = new Set<string>([doc.envName]);
    const queue = [entry.name];
    while (queue.length > 0) {
      const name = queue.shift()!;
      if (name === envName) return entry;
      if (seen.has(name)) continue;
      seen.add(name);
      for (const next of workspace.documentByName(name)?.imports ?? []) queue.push(next.name);
    }
  }
  return undefined;
}

/** How long typing must pause before a full check follows an edit the incremental check declined. */
export const FULL_CHECK_PAUSE_MS = 250;

/** Resolves after `ms`; rejects with CancelledError as soon as `signal` aborts. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(new CancelledError());
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new CancelledError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

export class EscLanguageService implements CheckedValues {
  private readonly checked = new Map<string, LazyValues>();
  private readonly checkedSchemas = new Map<string, LazySchemas>();
  /** The last check of each environment: the basis of incremental checks. */
  private readonly bases = new Map<string, CheckBasis>();
  /** How long typing must pause before a full check follows a declined incremental one (0: at once). */
  fullCheckPauseMs = FULL_CHECK_PAUSE_MS;
  /** The model of each environment's last reduced document: the next one re-uses its segments. */
  private readonly reducedDocs = new Map<string, EscDocument>();

  constructor(
    readonly workspace: EnvironmentWorkspace,
    private readonly checker?: EnvironmentChecker,
  ) {}

  /**
   * Drops what the checks of a closed document's environment kept (values, schemas, the
   * incremental basis): a closed document is not validated, and its memory comes back.
   */
  forget(uri: string): void {
    const envName = this.workspace.nameOf(uri);
    if (envName === undefined) return;
    this.checked.delete(envName);
    this.checkedSchemas.delete(envName);
    this.bases.delete(envName);
    this.reducedDocs.delete(envName);
  }

  document(uri: string): EscDocument | undefined {
    return this.workspace.document(uri);
  }

  valuesOf(envName: string): { [key: string]: Value } | undefined {
    return this.checked.get(envName)?.();
  }

  schemasOf(envName: string): SchemaIndex | undefined {
    return this.checkedSchemas.get(envName)?.();
  }

  /** The loader the evaluator reads environments through: open documents win over disk. */
  readonly loader: EnvironmentLoader = {
    load: async (name: string) => {
      const uri = this.workspace.uriOf(name);
      const text = uri === undefined ? undefined : this.workspace.text(uri);
      return text === undefined ? undefined : { text };
    },
  };

  /** All diagnostics of one document; rejects with CancelledError when `signal` aborts. */
  async diagnostics(uri: string, signal?: AbortSignal): Promise<Diagnostic[]> {
    return (await this.validate(uri, signal)).diagnostics;
  }

  /**
   * Diagnostics, checking incrementally when the previous check of this environment allows it
   * (`full` forces a full check). `incremental` says which it was: the server follows an
   * incremental check with a full one once the user pauses.
   */
  async validate(uri: string, signal?: AbortSignal, full = false): Promise<{ diagnostics: Diagnostic[]; incremental: boolean }> {
    // Requests that came with the edit (completion, hover) are answered first: they wait for
    // nothing, while the check's own work on this thread would delay them.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (signal?.aborted) throw new CancelledError();
    const envName = this.workspace.nameOf(uri);
    const text = this.workspace.text(uri);
    if (envName === undefined || text === undefined) return { diagnostics: [], incremental: false };
    const basis = full ? undefined : this.bases.get(envName);
    if (this.checker && basis && !basis.unevaluated && this.dependenciesUnchanged(basis)) {
      const incremental = await this.validateIncrementally(uri, envName, text, basis, signal);
      if (incremental) return { diagnostics: incremental, incremental: true };
      // A text the incremental check declines while it was possible a moment ago is usually a
      // key half typed (`  fres` before its colon, `${` before its name): the full check waits
      // for a pause in typing, so that a burst of keys does not start full checks that the next
      // key cancels (a check under way cannot be interrupted). The basis stands meanwhile.
      if (this.fullCheckPauseMs > 0) await pause(this.fullCheckPauseMs, signal);
    }
    let outcome: CheckOutcome | undefined;
    const dependencies = new Map<string, string | undefined>();
    // Start the check first: a checker running elsewhere (a worker thread) evaluates while this
    // thread builds the document model.
    const checking = this.checker?.check(envName, this.loaderWith(envName, undefined, dependencies), signal);
    const doc = this.workspace.document(uri);
    if (!doc) {
      checking?.catch(() => undefined);
      return { diagnostics: [], incremental: false };
    }
    const own = documentDiagnostics(doc);
    if (checking) {
      try {
        outcome = await checking;
      } catch (error) {
        // A cancelled check leaves the previous basis valid (it describes the text it was
        // computed from): the next edit is checked incrementally from it, not in full again.
        if (!(error instanceof CancelledError) && !signal?.aborted) this.bases.delete(envName);
        throw error;
      }
      if (signal?.aborted) throw new CancelledError();
      this.keepValues(envName, outcome, signal);
      const current = partitionText(text, this.bases.get(envName)?.partition);
      // A text that cannot be evaluated is no basis, but the last one that could be still is
      // (for the text it was computed from): fixing the error is then checked incrementally.
      if (outcome.unevaluated && this.bases.has(envName)) {
        // keep it
      } else if (current) {
        const next: CheckBasis = { partition: current, diagnostics: outcome.diagnostics, dependencies, own, ...(outcome.unevaluated ? { unevaluated: true } : {}) };
        const direct = directValues(outcome);
        if (direct) next.values = direct;
        else void outcome.valuesLater?.then((values) => values && (next.values = values), () => undefined);
        if (outcome.schemas) next.schemas = outcome.schemas;
        else void outcome.schemasLater?.then((schemas) => schemas && (next.schemas = schemas), () => undefined);
        this.bases.set(envName, next);
      } else this.bases.delete(envName);
    }
    return { diagnostics: mergeDiagnostics(own, outcome ? this.located(doc, doc, outcome.diagnostics) : []), incremental: false };
  }

  /** The incremental path (see incremental.ts); undefined when a full check is needed. */
  private async validateIncrementally(uri: string, envName: string, text: string, basis: CheckBasis, signal?: AbortSignal): Promise<Diagnostic[] | undefined> {
    const current = partitionText(text, basis.partition);
    if (!current || !this.checker) return undefined;
    const localKeys = new Set(current.entries.map((e) => e.key));
    const reducedCheck = (stubs: boolean): ReducedCheck | undefined => this.startReducedCheck(uri, envName, basis, current, localKeys, stubs, signal);
    // Without stubs the reduced document is the kept entries alone; stubs only when a "did you
    // mean" may look at every top-level name.
    let started = reducedCheck(false);
    if (!started) return undefined;
    let reduced = await started.outcome;
    if (signal?.aborted) throw new CancelledError();
    if (!started.stubs && reduced.diagnostics.some((d) => d.range.environment === envName && unknownTopLevelName(d.summary, current, started!.plan.kept))) {
      started = reducedCheck(true);
      if (!started) return undefined;
      reduced = await started.outcome;
      if (signal?.aborted) throw new CancelledError();
    }
    const { plan, reducedDoc, modelLineMap } = started;
    // The edit made the environment unevaluable (a load error): only a full check says how.
    if (reduced.unevaluated) return undefined;
    const reducedDiagnostics = reduced.diagnostics.map((d) => remapEvalDiagnostic(d, envName, plan.lineMap));
    const merged = mergeIncremental(envName, basis, current, plan, { diagnostics: reducedDiagnostics });
    const own = mergeOwn(basis, current, plan, documentDiagnostics(reducedDoc).map((d) => remapLspDiagnostic(d, modelLineMap)));
    const next: CheckBasis = { partition: current, diagnostics: merged.diagnostics, dependencies: basis.dependencies, own };
    this.bases.set(envName, next);
    // Values (for hover) are merged when they arrive, off the diagnostics' path.
    const mergeValues = (values: LazyValues | undefined): void => {
      if (!values || signal?.aborted) return;
      const lazy = mergeIncremental(envName, basis, current, plan, { diagnostics: [], values }).values;
      if (!lazy) return;
      next.values = lazy;
      this.checked.set(envName, lazy);
    };
    const direct = directValues(reduced);
    if (direct) mergeValues(direct);
    else void reduced.valuesLater?.then(mergeValues, () => undefined);
    const mergeSchemas = (schemas: LazySchemas | undefined): void => {
      const previous = basis.schemas;
      if (!schemas || !previous || signal?.aborted) return;
      const keys = current.entries.map((e) => e.key);
      const merged = memo(() => {
        const before = previous();
        const fresh = schemas();
        return before && fresh ? mergeSchemaIndex(before, fresh, plan.affected, keys) : undefined;
      });
      next.schemas = merged;
      this.checkedSchemas.set(envName, merged);
    };
    if (reduced.schemas) mergeSchemas(reduced.schemas);
    else void reduced.schemasLater?.then(mergeSchemas, () => undefined);
    const positions = { text, lines: new LineIndex(text) };
    return mergeDiagnostics(own, this.located(positions, reducedDoc, merged.diagnostics, modelLineMap));
  }

  /**
   * Plans the reduced check of `current` and starts it; the model of the reduced document
   * without stubs (the kept entries' own diagnostics and the imports, mapped back) is parsed here
   * while the checker evaluates. Undefined when the edit needs a full check.
   */
  private startReducedCheck(uri: string, envName: string, basis: CheckBasis, current: Partition, localKeys: ReadonlySet<string>, withStubs: boolean, signal?: AbortSignal): ReducedCheck | undefined {
    const planned = planIncremental(basis, current, (kept) => withStubs || stubsNeeded(current, kept, localKeys, () => this.keysOfImports(current.header)));
    if (!planned || !this.checker) return undefined;
    // Removed entries' keys may now come from an import: keep the imports that define them.
    const needed = new Set<string>([...planned.affected].filter((key) => !localKeys.has(key)));
    for (const entry of current.entries) {
      if (!planned.kept.has(entry.key)) continue;
      needed.add(entry.key);
      for (const ref of entry.refs) needed.add(ref);
    }
    const plan = pruneImports(planned, needed, (name) => this.importedKeys(name), localKeys);
    // Values and schemas are taken from the reduced check for the affected entries only.
    const outcome = this.checker.check(envName, this.loaderWith(envName, plan.compactText), signal, planned.affected);
    // Stubs have no own diagnostics: the model is always of the document without them, so it
    // re-uses the previous one's segments whichever the checker was given.
    const model = planned.stubs ? reducedDocument(current, planned.kept, false) : planned;
    const reducedDoc = parseEscDocument(uri, envName, model.compactText, 0, this.reducedDocs.get(envName));
    this.reducedDocs.set(envName, reducedDoc);
    if (reducedDoc.syntaxErrors.some((e) => !e.warning)) {
      outcome.catch(() => undefined);
      return undefined;
    }
    return { plan, reducedDoc, modelLineMap: model.lineMap, outcome, stubs: planned.stubs === true };
  }

  /** The top-level keys the imports of a header contribute, or undefined when that is not known. */
  private keysOfImports(header: string): ReadonlySet<string> | undefined {
    const names = importNames(header);
    if (!names) return undefined;
    const keys = new Set<string>();
    for (const name of names) {
      const imported = this.importedKeys(name);
      if (!imported) return undefined;
      for (const key of imported) keys.add(key);
    }
    return keys;
  }

  /** The top-level keys an imported environment contributes (its own and its imports'). */
  private importedKeys(name: string): ReadonlySet<string> | undefined {
    const doc = this.workspace.documentByName(name);
    if (!doc) return undefined;
    const keys = new Set<string>();
    for (const layer of layersOf(this.workspace, doc)) for (const p of layer.doc.properties) if (p.path.length === 1) keys.add(p.key);
    return keys;
  }

  private keepValues(envName: string, outcome: CheckOutcome, signal?: AbortSignal): void {
    const direct = directValues(outcome);
    if (direct) this.checked.set(envName, direct);
    if (outcome.schemas) this.checkedSchemas.set(envName, outcome.schemas);
    outcome.schemasLater?.then(
      (schemas) => {
        if (schemas && !signal?.aborted) this.checkedSchemas.set(envName, schemas);
      },
      () => undefined,
    );
    outcome.valuesLater?.then(
      (values) => {
        if (values && !signal?.aborted) this.checked.set(envName, values);
      },
      () => undefined,
    );
  }

  /**
   * Evaluator diagnostics as LSP diagnostics of the root document; those inside imported
   * environments (e.g. the far end of an import cycle) are shown on the import entry through
   * which the root reaches them. `positions` converts ranges, `doc` gives the imports (its lines
   * mapped through `lineMap` when it is a reduced document).
   */
  private located(positions: TextWithLines, doc: EscDocument, diagnostics: EvalDiagnostic[], lineMap?: number[]): Diagnostic[] {
    const evaluated: Diagnostic[] = [];
    for (const d of diagnostics) {
      if (d.range.environment === doc.envName) {
        evaluated.push(evaluatorDiagnostic(positions, d));
        continue;
      }
      const entry = importEntryLeadingTo(this.workspace, doc, d.range.environment);
      if (!entry) continue;
      const located = evaluatorDiagnostic(positions, d);
      located.range = lineMap ? remapRange(doc.lines.range(entry.span), lineMap) : doc.lines.range(entry.span);
      located.message = `in imported environment "${d.range.environment}": ${typeof located.message === 'string' ? located.message : located.message.value}`;
      if (!evaluated.some((e) => e.message === located.message && e.range.start.line === located.range.start.line)) evaluated.push(located);
    }
    return evaluated;
  }

  /** The workspace loader, with `root`'s text replaced (reduced checks) and loads recorded. */
  private loaderWith(root: string, rootText?: string, record?: Map<string, string | undefined>): EnvironmentLoader {
    return {
      load: async (name: string) => {
        if (name === root && rootText !== undefined) return { text: rootText };
        const loaded = await this.loader.load(name);
        if (name !== root) record?.set(name, loaded?.text);
        return loaded;
      },
    };
  }

  private dependenciesUnchanged(basis: CheckBasis): boolean {
    for (const [name, text] of basis.dependencies) {
      const uri = this.workspace.uriOf(name);
      if ((uri === undefined ? undefined : this.workspace.text(uri)) !== text) return false;
    }
    return true;
  }

  completion(uri: string, position: Position): CompletionList {
    const doc = this.workspace.document(uri);
    return doc ? completion(this.workspace, doc, position) : { isIncomplete: false, items: [] };
  }

  hover(uri: string, position: Position): Hover | null {
    const doc = this.workspace.document(uri);
    return doc ? hover(this.workspace, doc, position, this) : null;
  }

  definition(uri: string, position: Position): Location[] {
    const doc = this.workspace.document(uri);
    return doc ? definition(this.workspace, doc, position) : [];
  }

  references(uri: string, position: Position, includeDeclaration: boolean): Location[] {
    const doc = this.workspace.document(uri);
    return doc ? references(this.workspace, doc, position, includeDeclaration) : [];
  }

  prepareRename(uri: string, position: Position): { range: Range; placeholder: string } | null {
    const doc = this.workspace.document(uri);
    return (doc && prepareRename(this.workspace, doc, position)) ?? null;
  }

  rename(uri: string, position: Position, newName: string): WorkspaceEdit | null {
    const doc = this.workspace.document(uri);
    return (doc && rename(this.workspace, doc, position, newName)) ?? null;
  }

  codeActions(uri: string, range: Range, diagnostics: Diagnostic[]): CodeAction[] {
    const doc = this.workspace.document(uri);
    return doc ? codeActions(doc, range, diagnostics) : [];
  }

  documentSymbols(uri: string): DocumentSymbol[] {
    const doc = this.workspace.document(uri);
    return doc ? documentSymbols(doc) : [];
  }

  foldingRanges(uri: string): FoldingRange[] {
    const doc = this.workspace.document(uri);
    return doc ? foldingRanges(doc) : [];
  }

  semanticTokens(uri: string): number[] {
    const doc = this.workspace.document(uri);
    return doc ? semanticTokens(doc) : [];
  }
}
