/** Go to definition, find references and rename across environments (in-process). */
import { strict as assert } from 'node:assert';
import type { Location, TextEdit } from 'vscode-languageserver-types';
import { envUri, memoryWorkspace } from './language-support';
import { positionAt, rangeOf } from './text-markers';

// «…» marks the ranges each test expects; ‸ the cursors.
const BASE = 'values:\n  region: eu-west-1\n  «app»:\n    «name»: base-app\n    «port»: 8080\n';
const DEV = [
  'imports:',
  '  - «b‸ase»',
  'values:',
  '  app:',
  '    «name»: dev-app',
  '  url: https://${«app».«na‸me»}.example.com:${app.«po‸rt»}',
  '  again: ${app.«name»}',
  '',
].join('\n');
const API = 'imports:\n  - «app/dev»\nvalues:\n  e: ${«url»}\n  direct: ${environments.app.dev.app.«name»}\n  n: ${app.«name»}\n';

function at(loc: Location): string {
  return `${loc.uri.replace('file:///ws/environments/', '')}@${loc.range.start.line}:${loc.range.start.character}-${loc.range.end.line}:${loc.range.end.character}`;
}

describe('language service: navigation', () => {
  const ws = memoryWorkspace({ base: BASE, 'app/dev': DEV, api: API }, ['app/dev']);
  const dev = ws.marked.get('app/dev')!;
  const base = ws.marked.get('base')!;
  const api = ws.marked.get('api')!;
  const devUri = envUri('app/dev');
  const loc = (name: string, text: string, span: { start: number; end: number }): string => at({ uri: envUri(name), range: rangeOf(text, span) });

  it('goes from an import entry to the imported file', () => {
    assert.deepEqual(ws.service.definition(devUri, positionAt(dev.text, dev.cursors[0]!)), [{ uri: envUri('base'), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }]);
  });

  it('goes from an accessor to the key that defines it, preferring the local override', () => {
    assert.deepEqual(ws.service.definition(devUri, positionAt(dev.text, dev.cursors[1]!)).map(at), [loc('app/dev', dev.text, dev.ranges[1]!)]);
  });

  it('goes to the imported definition when the environment does not override it', () => {
    assert.deepEqual(ws.service.definition(devUri, positionAt(dev.text, dev.cursors[2]!)).map(at), [loc('base', base.text, base.ranges[2]!)]);
  });

  it('goes from `environments.<project>.<env>` paths into the other environment', () => {
    const cursor = api.text.indexOf('app.name}') + 5;
    assert.deepEqual(ws.service.definition(envUri('api'), positionAt(api.text, cursor)).map(at), [loc('app/dev', dev.text, dev.ranges[1]!)]);
  });

  it('finds every reference to a key across environments, through imports and `environments.*`', () => {
    const refs = ws.service.references(devUri, positionAt(dev.text, dev.cursors[1]!), true).map(at).sort();
    const expected = [
      loc('app/dev', dev.text, dev.ranges[1]!), // the key
      loc('app/dev', dev.text, dev.ranges[3]!), // ${app.name}
      loc('app/dev', dev.text, dev.ranges[5]!), // again: ${app.name}
      loc('api', api.text, api.ranges[2]!), // environments.app.dev.app.name
      loc('api', api.text, api.ranges[3]!), // api imports app/dev: ${app.name}
    ].sort();
    assert.deepEqual(refs, expected);
  });

  it('does not count references that an override shadows', () => {
    // base's `name` is overridden in app/dev, so app/dev's `${app.name}` is not a reference to it.
    const refs = ws.service.references(envUri('base'), positionAt(base.text, base.ranges[1]!.start), false);
    assert.deepEqual(refs, []);
    const portRefs = ws.service.references(envUri('base'), positionAt(base.text, base.ranges[2]!.start), false).map(at);
    assert.deepEqual(portRefs, [loc('app/dev', dev.text, dev.ranges[4]!)]);
  });

  it('finds the import entries naming an environment', () => {
    const refs = ws.service.references(envUri('api'), positionAt(api.text, api.ranges[0]!.start + 1), true).map(at);
    assert.deepEqual(refs, [loc('api', api.text, api.ranges[0]!)]);
  });

  it('renames a key and every reference to it, across files', () => {
    const position = positionAt(dev.text, dev.cursors[1]!);
    assert.deepEqual(ws.service.prepareRename(devUri, position), { range: rangeOf(dev.text, dev.ranges[3]!), placeholder: 'name' });
    const edit = ws.service.rename(devUri, position, 'title');
    assert.ok(edit?.changes);
    const summary = Object.entries(edit.changes)
      .flatMap(([uri, edits]: [string, TextEdit[]]) => edits.map((e) => `${at({ uri, range: e.range })}=${e.newText}`))
      .sort();
    assert.deepEqual(
      summary,
      [
        `${loc('app/dev', dev.text, dev.ranges[1]!)}=title`,
        `${loc('app/dev', dev.text, dev.ranges[3]!)}=title`,
        `${loc('app/dev', dev.text, dev.ranges[5]!)}=title`,
        `${loc('api', api.text, api.ranges[2]!)}=title`,
        `${loc('api', api.text, api.ranges[3]!)}=title`,
      ].sort(),
    );
  });

  it('resolves `imports.<name>` paths through imports declared with `merge: false`', () => {
    const local = memoryWorkspace({ base: BASE, app: 'imports:\n  - base:\n      merge: false\nvalues:\n  p: ${imports.base.app.port}\n  q: ${app.port}\n' }, ['app']);
    const text = local.marked.get('app')!.text;
    const at2 = (offset: number): string[] => local.service.definition(envUri('app'), positionAt(text, offset)).map(at);
    assert.deepEqual(at2(text.indexOf('port}')), [loc('base', base.text, base.ranges[2]!)]);
    // Not merged: `${app.port}` does not reach base.
    assert.deepEqual(at2(text.lastIndexOf('port}')), []);
  });

  it('renames an environment from an import entry: the file, import entries and environments.* paths', () => {
    const position = positionAt(api.text, api.ranges[0]!.start + 2);
    assert.deepEqual(ws.service.prepareRename(envUri('api'), position), { range: rangeOf(api.text, api.ranges[0]!), placeholder: 'app/dev' });
    const edit = ws.service.rename(envUri('api'), position, 'apps/development');
    const directStart = api.text.indexOf('app.dev.app');
    assert.deepEqual(edit, {
      documentChanges: [
        {
          textDocument: { uri: envUri('api'), version: null },
          edits: [
            { range: rangeOf(api.text, api.ranges[0]!), newText: 'apps/development' },
            { range: rangeOf(api.text, { start: directStart, end: directStart + 'app.dev'.length }), newText: 'apps.development' },
          ],
        },
        { kind: 'rename', oldUri: envUri('app/dev'), newUri: envUri('apps/development') },
      ],
    });
    // Not to a name that exists, nor to an invalid one.
    assert.equal(ws.service.rename(envUri('api'), position, 'base'), null);
    assert.equal(ws.service.rename(envUri('api'), position, 'bad name'), null);
  });

  it('refuses names that are not plain keys', () => {
    assert.equal(ws.service.rename(devUri, positionAt(dev.text, dev.cursors[1]!), 'has space'), null);
  });
});
