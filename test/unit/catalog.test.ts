import { strict as assert } from 'node:assert';
import { parse } from 'yaml';
import type { ObjectSchema, Schema } from '../../shared/src/schema/schema';
import {
  allBuiltins,
  allProviders,
  allRotators,
  allTopLevelKeys,
  builtinNames,
  findBuiltin,
  findProvider,
  findRotator,
  indentSnippet,
  providerNames,
  rotatorNames,
  snippetToText,
  suggestBuiltin,
  suggestProvider,
  suggestRotator,
  type CatalogEntry,
} from '../../shared/src/catalog/index';
import { checkModeLoader, CheckModeNotRunError } from '../../shared/src/catalog/loader';
import { didYouMean, editDistance } from '../../shared/src/schema/suggest';

const PROVIDERS = [
  'aws-login', 'aws-secrets', 'aws-parameter-store', 'azure-login', 'azure-secrets', 'gcp-login', 'gcp-secrets',
  'vault-login', 'vault-secrets', '1password-secrets', 'doppler-secrets', 'infisical-login', 'infisical-secrets', 'pulumi-stacks',
];
const ROTATORS = ['aws-iam', 'password', 'passphrase', 'postgres', 'mysql', 'snowflake-user', 'azure-app-secret', 'external'];
const BUILTINS = [
  'fn::open', 'fn::rotate', 'fn::secret', 'fn::join', 'fn::split', 'fn::concat', 'fn::toJSON', 'fn::fromJSON',
  'fn::toString', 'fn::toBase64', 'fn::fromBase64', 'fn::final', 'fn::validate',
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(v: unknown): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every schema node reachable from a schema (to check descriptions and shapes everywhere). */
function walk(schema: Schema, visit: (s: ObjectSchema, path: string) => void, path = ''): void {
  if (typeof schema === 'boolean') return;
  visit(schema, path);
  for (const [k, child] of Object.entries(schema.properties ?? {})) walk(child, visit, `${path}.${k}`);
  if (schema.items !== undefined) walk(schema.items, visit, `${path}[]`);
  if (schema.additionalProperties !== undefined) walk(schema.additionalProperties, visit, `${path}.*`);
}

/** Checks a snippet's plain-text value against an input schema: known keys, required keys, scalar types. */
function checkAgainst(schema: Schema, value: Json, where: string): void {
  if (typeof schema === 'boolean') return;
  if (typeof value === 'string' && value.startsWith('${') && value.endsWith('}')) return; // an interpolation: any type
  if (isObject(value) && Object.keys(value).length === 1 && Object.keys(value)[0].startsWith('fn::')) return; // a builtin call
  if (schema.type === 'object' && isObject(value)) {
    for (const req of schema.required ?? []) assert.ok(req in value, `${where}: required "${req}" missing from the snippet`);
    for (const [k, v] of Object.entries(value)) {
      const child = schema.properties?.[k] ?? schema.additionalProperties ?? true;
      assert.ok(child !== undefined && child !== false, `${where}: snippet key "${k}" is not in the schema`);
      checkAgainst(child, v, `${where}.${k}`);
    }
    return;
  }
  if (schema.type === 'string') assert.equal(typeof value, 'string', `${where} should be a string`);
  if (schema.type === 'number') assert.equal(typeof value, 'number', `${where} should be a number`);
  if (schema.type === 'boolean') assert.equal(typeof value, 'boolean', `${where} should be a boolean`);
}

function checkEntry(entry: CatalogEntry, prefix: 'fn::open::' | 'fn::rotate::'): void {
  const key = `${prefix}${entry.name}`;
  assert.match(entry.summary, /^[A-Z].{10,}[^.]$/, `${entry.name}: one-line summary`);
  assert.ok(!entry.summary.includes('\n'));
  assert.ok(entry.docs.includes(key), `${entry.name}: docs name the builtin`);
  assert.ok(entry.docs.includes('### Inputs'), `${entry.name}: docs have an inputs table`);
  assert.ok(entry.docs.includes(entry.url), `${entry.name}: docs link the page`);
  assert.match(entry.url, /^https:\/\/www\.pulumi\.com\/docs\/esc\/integrations\/[a-z0-9-/]+\/$/);
  assert.equal(entry.inputs.type, 'object');
  assert.ok(entry.inputs.properties !== undefined && Object.keys(entry.inputs.properties).length > 0, `${entry.name}: inputs have properties`);
  for (const req of entry.inputs.required ?? []) assert.ok(req in entry.inputs.properties, `${entry.name}: required ${req} is a property`);
  for (const prop of Object.keys(entry.inputs.properties)) assert.ok(entry.docs.includes(`\`${prop}\``), `${entry.name}: docs mention input ${prop}`);
  walk(entry.inputs, (s, path) => {
    if (path !== '') assert.ok(s.description !== undefined || s.title !== undefined || s.type === 'string', `${entry.name}${path}: described`);
    for (const req of s.required ?? []) assert.ok(s.properties !== undefined && req in s.properties, `${entry.name}${path}: required ${req} exists`);
  });

  const text = snippetToText(entry.snippet);
  const doc: unknown = parse(text);
  assert.ok(isObject(doc), `${entry.name}: snippet is a mapping`);
  assert.deepEqual(Object.keys(doc), [key], `${entry.name}: snippet starts with ${key}`);
  const body = doc[key];
  const inputs = prefix === 'fn::rotate::' ? (isObject(body) ? body.inputs : undefined) : body;
  assert.ok(isObject(inputs), `${entry.name}: snippet has inputs`);
  checkAgainst(entry.inputs, inputs, entry.name);
  assert.match(entry.snippet, /\$\{1[:}]/, `${entry.name}: snippet has a first tab stop`);
}

describe('catalog', () => {
  it('has exactly the documented providers', () => {
    assert.deepEqual([...providerNames()].sort(), [...PROVIDERS].sort());
  });

  it('has exactly the documented rotators', () => {
    assert.deepEqual([...rotatorNames()].sort(), [...ROTATORS].sort());
  });

  for (const name of PROVIDERS) {
    it(`provider ${name}: schema, docs, summary, link, snippet that parses as YAML and fits the schema`, () => {
      const entry = findProvider(name);
      assert.ok(entry);
      assert.equal(entry.kind, 'provider');
      assert.deepEqual(entry.rotateOnly, []);
      assert.equal(entry.state, undefined);
      checkEntry(entry, 'fn::open::');
    });
  }

  for (const name of ROTATORS) {
    it(`rotator ${name}: schemas (inputs, state, outputs), rotate-only inputs, docs, snippet`, () => {
      const entry = findRotator(name);
      assert.ok(entry);
      assert.equal(entry.kind, 'rotator');
      assert.ok(entry.state !== undefined && entry.state.type === 'object', `${name}: state schema`);
      assert.ok(entry.docs.includes('### State'));
      assert.deepEqual(entry.inputs.rotateOnly ?? [], entry.rotateOnly, `${name}: rotate-only names are on the input schema, where the evaluator reads them`);
      for (const input of entry.rotateOnly) {
        assert.ok(input in (entry.inputs.properties ?? {}), `${name}: rotate-only ${input} is an input`);
        assert.ok(entry.docs.includes('rotate-only'), `${name}: docs flag rotate-only inputs`);
      }
      checkEntry(entry, 'fn::rotate::');
    });
  }

  it('follows ESC shapes for the rotators esc-local runs', () => {
    const iam = findRotator('aws-iam');
    assert.ok(iam?.state?.properties);
    assert.deepEqual(iam.rotateOnly, ['login']);
    assert.deepEqual(iam.inputs.required, ['login', 'userArn']);
    const current = iam.state.properties.current;
    assert.ok(typeof current === 'object' && current.properties);
    const secret = current.properties.secretAccessKey;
    assert.ok(typeof secret === 'object' && secret.secret === true, 'secretAccessKey is secret');
    const password = findRotator('password');
    assert.deepEqual(Object.keys(password?.inputs.properties ?? {}).sort(), [
      'length', 'lower', 'minLower', 'minSpecial', 'minUpper', 'overrideSpecial', 'special', 'upper',
    ]);
    assert.deepEqual(Object.keys(findRotator('passphrase')?.inputs.properties ?? {}).sort(), ['capitalize', 'length', 'separator']);
    assert.deepEqual(findRotator('external')?.rotateOnly, ['request']);
    const login = findProvider('aws-login')?.inputs.properties;
    assert.ok(login && typeof login.oidc === 'object' && login.oidc.required?.includes('roleArn'));
  });

  it('closes top-level inputs (typos are reported) and opens login records (full login outputs validate)', () => {
    assert.equal(findProvider('aws-secrets')?.inputs.additionalProperties, false);
    const login = findProvider('aws-secrets')?.inputs.properties?.login;
    assert.ok(typeof login === 'object' && login.additionalProperties === undefined);
  });

  it('documents every builtin with a snippet that parses as YAML', () => {
    assert.deepEqual([...builtinNames()].sort(), [...BUILTINS].sort());
    for (const b of allBuiltins()) {
      assert.ok(b.docs.startsWith(`**${b.name}**`), b.name);
      assert.ok(b.docs.includes('```yaml'), `${b.name}: example`);
      assert.match(b.url, /^https:\/\/www\.pulumi\.com\/docs\/esc\/reference\/builtin-functions\//);
      const doc: unknown = parse(snippetToText(b.snippet));
      assert.ok(isObject(doc) && Object.keys(doc)[0] === b.name, `${b.name}: snippet key`);
      const example = /```yaml\n([\s\S]*?)\n```/.exec(b.docs)?.[1];
      assert.ok(example !== undefined);
      assert.doesNotThrow(() => parse(example), `${b.name}: example parses`);
    }
    assert.equal(findBuiltin('join')?.name, 'fn::join');
    assert.equal(findBuiltin('fn::open::aws-login')?.name, 'fn::open');
    assert.equal(findBuiltin('fn::rotate::password')?.name, 'fn::rotate');
    assert.equal(findBuiltin('fn::nope'), undefined);
  });

  it('documents the reserved top-level keys', () => {
    assert.deepEqual(allTopLevelKeys().map((k) => k.name), ['imports', 'values', 'environmentVariables', 'files', 'pulumiConfig']);
    for (const k of allTopLevelKeys()) {
      const doc: unknown = parse(snippetToText(k.snippet));
      assert.ok(isObject(doc) && k.name in doc, k.name);
      assert.ok(k.docs.includes(k.url));
    }
  });

  it('provider docs render nested record types as their own tables', () => {
    const docs = findProvider('aws-login')?.docs ?? '';
    assert.ok(docs.includes('#### AWSLoginOIDC'));
    assert.ok(docs.includes('| `roleArn` | string |'));
    assert.ok(docs.includes('| `duration` | string | [optional]'));
    assert.ok(findProvider('aws-secrets')?.docs.includes('map[string]AWSSecretsGet'));
  });
});

describe('catalog snippets', () => {
  it('expands placeholders and escapes to their plain text', () => {
    assert.equal(snippetToText('a: ${1:x}\nb: $2\nc: ${3}\nd: ${4|one,two|}\ne: \\${${5:aws.login}}'), 'a: x\nb: \nc: \nd: one\ne: ${aws.login}');
    assert.equal(snippetToText('nested: ${1:outer ${2:inner}}'), 'nested: outer inner');
    assert.equal(snippetToText('plain \\\\ text'), 'plain \\ text');
  });

  it('re-indents all lines but the first', () => {
    assert.equal(indentSnippet('a:\n  b: 1\n\n  c: 2', '    '), 'a:\n      b: 1\n\n      c: 2');
  });
});

describe('did you mean', () => {
  it('measures edits including adjacent swaps', () => {
    assert.equal(editDistance('aws-login', 'aws-login'), 0);
    assert.equal(editDistance('aws-logn', 'aws-login'), 1);
    assert.equal(editDistance('asw-login', 'aws-login'), 1);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });

  it('suggests close names and nothing for far or exact ones', () => {
    assert.equal(suggestProvider('aws-logn'), 'aws-login');
    assert.equal(suggestProvider('AWS-Login'), 'aws-login');
    assert.equal(suggestProvider('aws-secret'), 'aws-secrets');
    assert.equal(suggestProvider('gcp-secret'), 'gcp-secrets');
    assert.equal(suggestProvider('aws-login'), undefined);
    assert.equal(suggestProvider('kubernetes'), undefined);
    assert.equal(suggestRotator('aws-iam2'), 'aws-iam');
    assert.equal(suggestRotator('pasword'), 'password');
    assert.equal(suggestRotator('passphrse'), 'passphrase');
    assert.equal(suggestBuiltin('fn::toJson'), 'fn::toJSON');
    assert.equal(suggestBuiltin('fn::jion'), 'fn::join');
    assert.equal(suggestBuiltin('fn::frobnicate'), undefined);
    assert.equal(didYouMean('valus', ['imports', 'values']), 'values');
    assert.equal(didYouMean('x', []), undefined);
  });
});

describe('check-mode provider loader', () => {
  it('knows every catalog schema and returns undefined for unknown names', () => {
    for (const p of allProviders()) assert.deepEqual(checkModeLoader.loadProvider(p.name)?.schema().inputs, p.inputs);
    for (const r of allRotators()) assert.deepEqual(checkModeLoader.loadRotator(r.name)?.schema().state, r.state);
    assert.equal(checkModeLoader.loadProvider('aws-logn'), undefined);
    assert.equal(checkModeLoader.loadRotator('aws-login'), undefined);
  });

  it('never runs a provider or rotator', async () => {
    const provider = checkModeLoader.loadProvider('aws-login');
    assert.ok(provider);
    await assert.rejects(provider.open({}, {}), (e: unknown) => e instanceof CheckModeNotRunError && /not run in check mode/.test(e.message) && e.message.includes('aws-login'));
    const rotator = checkModeLoader.loadRotator('aws-iam');
    assert.ok(rotator);
    await assert.rejects(rotator.rotate({}, undefined, {}), CheckModeNotRunError);
    await assert.rejects(rotator.open({}, undefined, {}), CheckModeNotRunError);
  });
});
