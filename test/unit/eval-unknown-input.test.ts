/**
 * Misspelt provider/rotator inputs: a property that the input schema's `additionalProperties:
 * false` rejects is an error at the misspelt key (check, open and rotate), with "did you mean"
 * when an allowed name is close, and the provider/rotator is not run with the inputs it would
 * otherwise silently ignore. Check mode uses the catalog's schemas (as the language server and
 * `esc-local check` do); open/rotate use the real local password rotator.
 */
import { strict as assert } from 'node:assert';
import type { Diagnostic as LspDiagnostic } from 'vscode-languageserver-types';
import {
  checkEnvironment, environmentJSON, openEnvironment, rotateEnvironment, toJSON, type EvalOptions, type EvalResult,
} from '../../shared/src/eval/index';
import type { Diagnostic } from '../../shared/src/syntax/diagnostic';
import type { EnvironmentLoader, LoadedEnvironment, Provider, ProviderLoader, Rotator } from '../../shared/src/contract/plugins';
import type { Value } from '../../shared/src/value/value';
import { checkModeLoader } from '../../shared/src/catalog/loader';
import { createCheckModeChecker } from '../../shared/src/language/evaluation';
import type { Schema } from '../../shared/src/schema/schema';
import { PasswordRotator } from '../../client/src/core/rotators/password';
import { envUri, memoryWorkspace } from './language-support';

class MemoryLoader implements EnvironmentLoader {
  constructor(private readonly files: Record<string, string>) {}
  async load(name: string): Promise<LoadedEnvironment | undefined> {
    const text = this.files[name];
    return text === undefined ? undefined : { text };
  }
}

const closed = (properties: Record<string, Schema>, required: string[] = []): Schema => ({ type: 'object', properties, required, additionalProperties: false });

/**
 * `settings`: a provider whose inputs nest a closed object (`{name, options: {length, upper}}`);
 * it returns its inputs and remembers every call. `settings-source`: returns `{options: {lenght,
 * upper}}` — an output whose schema has a property `settings` does not allow.
 */
class SettingsProviders implements ProviderLoader {
  readonly calls: Value[] = [];
  private readonly settings: Provider = {
    schema: () => ({ inputs: closed({ name: { type: 'string' }, options: closed({ length: { type: 'number' }, upper: { type: 'boolean' } }) }, ['name']), outputs: true }),
    open: async (inputs) => {
      const v: Value = { value: inputs, trace: {} };
      this.calls.push(v);
      return v;
    },
  };
  private readonly source: Provider = {
    schema: () => ({ inputs: true, outputs: { type: 'object', properties: { options: { type: 'object', properties: { lenght: { type: 'number' }, upper: { type: 'boolean' } }, required: ['lenght', 'upper'] } }, required: ['options'] } }),
    open: async () => ({ value: { options: { value: { lenght: { value: 8, trace: {} }, upper: { value: true, trace: {} } }, trace: {} } }, trace: {} }),
  };
  private readonly password = new PasswordRotator();

  loadProvider(name: string): Provider | undefined {
    if (name === 'settings') return this.settings;
    if (name === 'settings-source') return this.source;
    return undefined;
  }
  loadRotator(name: string): Rotator | undefined {
    return name === 'password' ? this.password : undefined;
  }
}

function checkOptions(files: Record<string, string> = {}): EvalOptions {
  return { loader: new MemoryLoader(files), providers: checkModeLoader };
}

/** [summary, document path, "line:col-line:col"] of each diagnostic. */
function located(diags: Diagnostic[]): [string, string, string][] {
  return diags.map((d) => [d.summary, d.path, `${d.range.begin.line}:${d.range.begin.column}-${d.range.end.line}:${d.range.end.column}`]);
}

/** The 1-based "line:col-line:col" of the `n`th occurrence of `needle` in `text` (one line). */
function span(text: string, needle: string, n = 0): string {
  let at = -1;
  for (let i = 0; i <= n; i++) {
    at = text.indexOf(needle, at + 1);
    assert.ok(at >= 0, `${needle} #${n} not in text`);
  }
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  const column = at - before.lastIndexOf('\n');
  return `${line}:${column}-${line}:${column + needle.length}`;
}

function json(r: EvalResult): unknown {
  assert.ok(r.environment, 'no environment');
  return environmentJSON(r.environment, { redact: false });
}

/** `settings-source`'s output, or part of it, given to `settings` (`inputs` is the indented block). */
function sourceToSink(inputs: string): string {
  return `values:\n  src:\n    fn::open::settings-source: {}\n  sink:\n    fn::open::settings:\n${inputs}`;
}

const misspeltPassword = [
  'values:',
  '  pw:',
  '    fn::rotate::password:',
  '      inputs:',
  '        lenght: 40',
  '        special: false',
  '',
].join('\n');

describe('eval: unknown provider/rotator inputs, check mode (catalog schemas)', () => {
  it('reports a misspelt rotator input at its key with the closest name', async () => {
    const r = await checkEnvironment('root', misspeltPassword, checkOptions());
    assert.deepEqual(located(r.diagnostics), [
      ['unknown property "lenght"; did you mean "length"?', 'values.pw["fn::rotate::password"].inputs.lenght', span(misspeltPassword, 'lenght')],
    ]);
    assert.equal(r.diagnostics[0]!.severity, 1);
  });

  it('checks the correctly spelt inputs clean', async () => {
    const r = await checkEnvironment('root', misspeltPassword.replace('lenght', 'length'), checkOptions());
    assert.deepEqual(located(r.diagnostics), []);
  });

  it('reports a misspelt key of a nested provider input object, beside the missing required one', async () => {
    const text = [
      'values:',
      '  aws:',
      '    fn::open::aws-login:',
      '      oidc:',
      '        roleArn: arn:aws:iam::123456789012:role/esc',
      '        sesionName: esc-local',
      '',
    ].join('\n');
    const r = await checkEnvironment('root', text, checkOptions());
    assert.deepEqual(located(r.diagnostics), [
      ['missing required properties: sessionName', 'values.aws["fn::open::aws-login"].oidc', '5:9-6:30'],
      ['unknown property "sesionName"; did you mean "sessionName"?', 'values.aws["fn::open::aws-login"].oidc.sesionName', span(text, 'sesionName')],
    ]);
  });

  it('gives no suggestion when no allowed name is close, and reports keys in flow mappings too', async () => {
    const text = 'values:\n  pw:\n    fn::rotate::passphrase:\n      inputs: { length: 4, colour: red }\n';
    const r = await checkEnvironment('root', text, checkOptions());
    assert.deepEqual(located(r.diagnostics), [
      ['unknown property "colour"', 'values.pw["fn::rotate::passphrase"].inputs.colour', span(text, 'colour')],
    ]);
  });

  it('blames a reference to an object at the reference (its keys are written elsewhere)', async () => {
    const text = 'values:\n  opts: { lenght: 12 }\n  pw:\n    fn::rotate::password:\n      inputs: ${opts}\n';
    const r = await checkEnvironment('root', text, checkOptions());
    assert.deepEqual(located(r.diagnostics), [
      ['unknown property "lenght"; did you mean "length"?', 'values.pw["fn::rotate::password"].inputs', span(text, '${opts}')],
    ]);
  });

  it('checks an unknown value statically through its schema, with the path below the reference', async () => {
    const text = sourceToSink('      name: n\n      options: ${src.options}\n');
    const r = await checkEnvironment('root', text, { loader: new MemoryLoader({}), providers: new SettingsProviders() });
    assert.deepEqual(located(r.diagnostics), [
      ['unknown property "lenght"; did you mean "length"?', 'values.sink["fn::open::settings"].options', span(text, '${src.options}')],
    ]);
    const whole = sourceToSink('      ${src}\n').replace('settings:\n      ${src}', 'settings: ${src}');
    const r2 = await checkEnvironment('root', whole, { loader: new MemoryLoader({}), providers: new SettingsProviders() });
    assert.deepEqual(located(r2.diagnostics), [
      ['options: unknown property "lenght"; did you mean "length"?', 'values.sink["fn::open::settings"]', span(whole, '${src}')],
      ['name: missing required property', 'values.sink["fn::open::settings"]', span(whole, '${src}')],
    ]);
  });
});

describe('eval: unknown provider/rotator inputs, open and rotate (providers run)', () => {
  const nested = [
    'values:',
    '  s:',
    '    fn::open::settings:',
    '      name: app',
    '      options:',
    '        lenght: 8',
    '        upper: true',
    '',
  ].join('\n');

  it('reports a misspelt nested provider input at its key and does not run the provider', async () => {
    const providers = new SettingsProviders();
    const r = await openEnvironment('root', nested, { loader: new MemoryLoader({}), providers });
    assert.deepEqual(located(r.diagnostics), [
      ['unknown property "lenght"; did you mean "length"?', 'values.s["fn::open::settings"].options.lenght', span(nested, 'lenght')],
    ]);
    assert.equal(providers.calls.length, 0);
    assert.deepEqual(json(r), { s: '[unknown]' });
  });

  it('runs the provider once the key is spelt right', async () => {
    const providers = new SettingsProviders();
    const r = await openEnvironment('root', nested.replace('lenght', 'length'), { loader: new MemoryLoader({}), providers });
    assert.deepEqual(located(r.diagnostics), []);
    assert.equal(providers.calls.length, 1);
    assert.deepEqual(json(r), { s: { name: 'app', options: { length: 8, upper: true } } });
  });

  it('reports a provider output passed on with a property the input does not allow', async () => {
    const text = sourceToSink('      name: n\n      options: ${src.options}\n');
    const providers = new SettingsProviders();
    const r = await openEnvironment('root', text, { loader: new MemoryLoader({}), providers });
    assert.deepEqual(located(r.diagnostics), [
      ['unknown property "lenght"; did you mean "length"?', 'values.sink["fn::open::settings"].options', span(text, '${src.options}')],
    ]);
    assert.equal(providers.calls.length, 0);
  });

  it('opens a rotator with a misspelt input as unknown instead of using the default', async () => {
    const r = await openEnvironment('root', misspeltPassword, { loader: new MemoryLoader({}), providers: new SettingsProviders() });
    assert.deepEqual(located(r.diagnostics), [
      ['unknown property "lenght"; did you mean "length"?', 'values.pw["fn::rotate::password"].inputs.lenght', span(misspeltPassword, 'lenght')],
    ]);
    assert.deepEqual(json(r), { pw: '[unknown]' });
  });

  it('does not rotate with a misspelt length (no 16-character default), and rotates once it is spelt right', async () => {
    const bad = await rotateEnvironment('root', misspeltPassword, { loader: new MemoryLoader({}), providers: new SettingsProviders() });
    assert.deepEqual(located(bad.diagnostics).map(([s, p]) => [s, p]), [
      ['unknown property "lenght"; did you mean "length"?', 'values.pw["fn::rotate::password"].inputs.lenght'],
    ]);
    assert.deepEqual(bad.patches, []);

    const good = await rotateEnvironment('root', misspeltPassword.replace('lenght', 'length'), { loader: new MemoryLoader({}), providers: new SettingsProviders() });
    assert.deepEqual(located(good.diagnostics), []);
    assert.equal(good.patches.length, 1);
    const state = toJSON(good.patches[0]!.replacement, { redact: false }) as { current: string };
    assert.equal(state.current.length, 40);
  });
});

describe('language service: unknown provider/rotator inputs', () => {
  it('surfaces the evaluator\'s error with the suggestion on the misspelt key', async () => {
    const ws = memoryWorkspace({ app: 'values:\n  pw:\n    fn::rotate::password:\n      inputs:\n        «lenght»: 40\n        special: false\n' }, ['app'], createCheckModeChecker());
    const m = ws.marked.get('app')!;
    const list: LspDiagnostic[] = await ws.service.diagnostics(envUri('app'));
    const key = m.ranges[0]!;
    const line = m.text.slice(0, key.start).split('\n').length - 1;
    const character = key.start - (m.text.lastIndexOf('\n', key.start - 1) + 1);
    assert.deepEqual(list.map((d) => [d.severity, d.code, d.message, d.range]), [
      [1, 'esc', 'unknown property "lenght"; did you mean "length"?', { start: { line, character }, end: { line, character: character + 'lenght'.length } }],
    ]);
  });
});
