/**
 * The provider/rotator/builtin catalog: ESC's documented providers and rotators with schemas,
 * docs and snippets; the `fn::` builtins; the reserved keys; suggestions for misspelt names. Pure data and
 * functions: no I/O, no editor APIs. The check-mode provider loader (loader.ts) builds on these
 * lookups and is imported from there, so this index does not import it back.
 */
import { builtinDocs, topLevelKeyDocs } from './builtins';
import { providerSpecs, type ProviderSpec } from './providers';
import { schemaSection } from './schemaDocs';
import { rotatorSpecs, type RotatorSpec } from './rotators';
import { didYouMean } from '../schema/suggest';
import type { BuiltinDoc, CatalogEntry, TopLevelKeyDoc } from './types';

export type { BuiltinDoc, CatalogEntry, CatalogKind, TopLevelKeyDoc } from './types';
export { snippetToText, indentSnippet } from './snippet';
export { typeName } from './schemaDocs';

/** Why `esc-local open` cannot run a provider that ESC runs in Pulumi Cloud (check still validates it). */
export function cloudOnlyProviderMessage(name: string): string {
  return `provider "${name}" runs only in Pulumi Cloud: esc-local checks its inputs but cannot open it`;
}

/** True for the providers esc-local runs itself (see ProviderSpec.runsLocally). */
export function providerRunsLocally(name: string): boolean {
  return providerSpecs().some((p) => p.name === name && p.runsLocally === true);
}

/**
 * A catalog entry whose `docs` (markdown built from the schemas: hover and completion only) are
 * made on first read: `esc-local check` and the evaluator never read them.
 */
function entryWithLazyDocs(entry: Omit<CatalogEntry, 'docs'>, makeDocs: () => string): CatalogEntry {
  let docs: string | undefined;
  return Object.defineProperty(entry, 'docs', { enumerable: true, get: () => (docs ??= makeDocs()) }) as CatalogEntry;
}

function providerEntry(spec: ProviderSpec): CatalogEntry {
  return entryWithLazyDocs({ name: spec.name, kind: 'provider', summary: spec.summary, url: spec.url, inputs: spec.inputs, outputs: spec.outputs, rotateOnly: [], snippet: spec.snippet }, () => providerDocs(spec));
}

function providerDocs(spec: ProviderSpec): string {
  return [
    `**fn::open::${spec.name}** — ${spec.summary}.`,
    spec.prose,
    spec.runsLocally ? '' : `Runs only in Pulumi Cloud: esc-local checks its inputs but cannot open it.`,
    schemaSection('Inputs', spec.inputs),
    schemaSection('Outputs', spec.outputs),
    `[Documentation](${spec.url})`,
  ]
    .filter((part) => part !== '')
    .join('\n\n');
}

function rotatorEntry(spec: RotatorSpec): CatalogEntry {
  return entryWithLazyDocs(
    { name: spec.name, kind: 'rotator', summary: spec.summary, url: spec.url, inputs: spec.inputs, state: spec.state, outputs: spec.outputs, rotateOnly: spec.rotateOnly, snippet: spec.snippet },
    () => rotatorDocs(spec),
  );
}

function rotatorDocs(spec: RotatorSpec): string {
  const rotateOnlyNote =
    spec.rotateOnly.length > 0 ? `Rotate-only inputs (evaluated only while rotating): ${spec.rotateOnly.map((n) => `\`${n}\``).join(', ')}.` : '';
  return [
    `**fn::rotate::${spec.name}** — ${spec.summary}.`,
    spec.prose,
    rotateOnlyNote,
    schemaSection('Inputs', spec.inputs, spec.rotateOnly),
    schemaSection('State', spec.state),
    schemaSection('Outputs', spec.outputs),
    `[Documentation](${spec.url})`,
  ]
    .filter((part) => part !== '')
    .join('\n\n');
}

/**
 * The lookup tables, each built on its first use: a check reads the providers' only for an
 * `fn::open`, the rotators' only for an `fn::rotate` (start-up is budgeted, see client/src/cli/bin.ts).
 */
let providerTable: Map<string, CatalogEntry> | undefined;
let rotatorTable: Map<string, CatalogEntry> | undefined;
let builtinTable: Map<string, BuiltinDoc> | undefined;
let topLevelKeyTable: Map<string, TopLevelKeyDoc> | undefined;
const providers = (): Map<string, CatalogEntry> => (providerTable ??= new Map(providerSpecs().map((p) => [p.name, providerEntry(p)])));
const rotators = (): Map<string, CatalogEntry> => (rotatorTable ??= new Map(rotatorSpecs().map((r) => [r.name, rotatorEntry(r)])));
const builtins = (): Map<string, BuiltinDoc> => (builtinTable ??= new Map(builtinDocs().map((b) => [b.name, b])));
const topLevelKeys = (): Map<string, TopLevelKeyDoc> => (topLevelKeyTable ??= new Map(topLevelKeyDocs().map((k) => [k.name, k])));

export function providerNames(): string[] {
  return [...providers().keys()];
}
export function rotatorNames(): string[] {
  return [...rotators().keys()];
}
/** Full builtin keys, e.g. `fn::join`. */
export function builtinNames(): string[] {
  return [...builtins().keys()];
}
export function topLevelKeyNames(): string[] {
  return [...topLevelKeys().keys()];
}

export function findProvider(name: string): CatalogEntry | undefined {
  return providers().get(name);
}
export function findRotator(name: string): CatalogEntry | undefined {
  return rotators().get(name);
}
/** Accepts `fn::join` or `join`; `fn::open::aws-login` resolves to `fn::open`. */
export function findBuiltin(name: string): BuiltinDoc | undefined {
  const full = name.startsWith('fn::') ? name : `fn::${name}`;
  const m = /^(fn::(?:open|rotate))::/.exec(full);
  return builtins().get(m ? m[1] : full);
}
export function findTopLevelKey(name: string): TopLevelKeyDoc | undefined {
  return topLevelKeys().get(name);
}

export function allProviders(): CatalogEntry[] {
  return [...providers().values()];
}
export function allRotators(): CatalogEntry[] {
  return [...rotators().values()];
}
export function allBuiltins(): BuiltinDoc[] {
  return [...builtins().values()];
}
export function allTopLevelKeys(): TopLevelKeyDoc[] {
  return [...topLevelKeys().values()];
}

export function suggestProvider(name: string): string | undefined {
  return didYouMean(name, providers().keys());
}
export function suggestRotator(name: string): string | undefined {
  return didYouMean(name, rotators().keys());
}
/** Suggests a full builtin key (`fn::toJSON`) for a misspelt one (`fn::toJson`, `fn:join`). */
export function suggestBuiltin(name: string): string | undefined {
  return didYouMean(name, builtins().keys());
}

