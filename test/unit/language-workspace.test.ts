/** The workspace model: environment names, open documents over disk, dependents. */
import { strict as assert } from 'node:assert';
import { dependenciesOf, EnvironmentWorkspace, scanDependencies } from '../../shared/src/language/environmentWorkspace';
import { parseEscDocument } from '../../shared/src/language/model';

describe('language service: workspace model', () => {
  const disk = new Map<string, string>([
    ['file:///w/environments/credentials/aws-creds.yaml', 'values:\n  aws: {}\n'],
    ['file:///w/environments/base.yml', 'values:\n  a: 1\n'],
    ['file:///w/environments/app/dev.yaml', 'imports:\n  - base\nvalues:\n  c: ${environments.credentials.aws-creds.aws}\n'],
    ['file:///w/services/api.esc.yaml', 'imports:\n  - app/dev\n'],
    ['file:///w/other/plain.yaml', 'x: 1\n'],
  ]);
  const ws = new EnvironmentWorkspace({ read: (uri) => disk.get(uri) });
  ws.setFolders([{ uri: 'file:///w', rootUri: 'file:///w/environments' }]);
  for (const uri of disk.keys()) ws.addFile(uri);

  it('names environments by their path under the root, and *.esc.yaml by their path in the folder', () => {
    assert.deepEqual(ws.environmentNames(), ['app/dev', 'base', 'credentials/aws-creds', 'services/api']);
    assert.equal(ws.nameOf('file:///w/other/plain.yaml'), undefined);
    assert.equal(ws.uriOf('credentials/aws-creds'), 'file:///w/environments/credentials/aws-creds.yaml');
    assert.equal(ws.nameOf('file:///w/environments/my%20env.yaml'), 'my env');
  });

  it('lets open documents win over disk, and falls back to disk when closed', () => {
    const uri = 'file:///w/environments/base.yml';
    assert.equal(ws.document(uri)!.properties[0]!.key, 'a');
    ws.openDocument(uri, 'values:\n  b: 2\n', 3);
    assert.equal(ws.document(uri)!.properties[0]!.key, 'b');
    assert.equal(ws.document(uri)!.version, 3);
    ws.closeDocument(uri);
    assert.equal(ws.document(uri)!.properties[0]!.key, 'a');
  });

  it('re-reads a file from disk when it changes', () => {
    const uri = 'file:///w/environments/base.yml';
    ws.document(uri);
    disk.set(uri, 'values:\n  changed: 1\n');
    assert.equal(ws.document(uri)!.properties[0]!.key, 'a'); // cached until told
    ws.fileChanged(uri);
    assert.equal(ws.document(uri)!.properties[0]!.key, 'changed');
  });

  it('knows which environments depend on one, through imports and `environments.*`, transitively', () => {
    assert.deepEqual(ws.dependentsOf('base'), ['app/dev', 'services/api']);
    assert.deepEqual(ws.dependentsOf('credentials/aws-creds'), ['app/dev', 'services/api']);
    assert.deepEqual(ws.dependentsOf('services/api'), []);
  });

  it('reads `environments.*` references however the string is written (escapes, folding), and derives no interpolations for a text without one', () => {
    const deps = (text: string): string[] => [...dependenciesOf(parseEscDocument('file:///x.yaml', 'x', text))].sort();
    assert.deepEqual(deps('imports:\n  - a\nvalues:\n  x: "${\\u0065nvironments.p.e.y}"\n  y: >-\n    pre ${environments.q.f.z}\n    post\n'), ['a', 'p', 'p/e', 'q', 'q/f']);
    const doc = parseEscDocument('file:///y.yaml', 'y', 'imports:\n  - a\nvalues:\n  x: ${a.b}\n  y: "environ\n    ments.p.e"\n');
    const derived = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(doc), 'interpolations')!;
    let reads = 0;
    Object.defineProperty(doc, 'interpolations', { get: () => (reads++, derived.get!.call(doc)) });
    assert.deepEqual([...dependenciesOf(doc)], ['a']);
    assert.equal(reads, 0);
  });

  it('answers whether one environment depends on another, without parsing', () => {
    assert.equal(ws.dependsOn('services/api', 'base'), true);
    assert.equal(ws.dependsOn('services/api', 'credentials/aws-creds'), true);
    assert.equal(ws.dependsOn('base', 'app/dev'), false);
    assert.deepEqual([...scanDependencies('imports:\n  - a/b\n  - "c"\n  - d:\n      merge: false\nvalues:\n  x: ${environments.p.e.y}\n')].sort(), ['a/b', 'c', 'd', 'p', 'p/e']);
  });

  it('treats an open `esc` document outside the root as an environment named after its file', () => {
    assert.equal(ws.openDocument('untitled:Untitled-1', 'values: {}\n', 1), 'Untitled-1');
    assert.equal(ws.openDocument('file:///elsewhere/prod.yaml', 'values: {}\n', 1), 'prod');
  });

  it('says whether a file\'s disk text may have been seen, so opening a file nothing read needs no disk read', () => {
    const files = new Map<string, string>([
      ['file:///v/environments/p/base.yaml', 'values:\n  a: 1\n'],
      ['file:///v/environments/p/app.yaml', 'imports:\n  - p/base\nvalues:\n  b: ${a}\n'],
    ]);
    const reads: string[] = [];
    const model = new EnvironmentWorkspace({ read: (uri) => (reads.push(uri), files.get(uri)) });
    model.setFolders([{ uri: 'file:///v', rootUri: 'file:///v/environments' }]);
    for (const uri of files.keys()) model.addFile(uri);
    const [base, app] = [...files.keys()] as [string, string];
    // Found on disk, read by nobody: opening it changes nothing anyone computed.
    assert.equal(model.diskTextSeen(base), false);
    model.openDocument(app, files.get(app)!, 1);
    assert.equal(model.diskTextSeen(base), false);
    // The open importer's check reads the base from disk: from now on its opening is compared.
    assert.equal(model.text(base), files.get(base));
    assert.equal(model.diskTextSeen(base), true);
    model.openDocument(base, 'values:\n  a: 2\n', 1);
    assert.equal(model.diskTextSeen(base), false, 'opening resets it');
    model.closeDocument(base);
    model.peekDocument(base);
    assert.equal(model.diskTextSeen(base), true, 'a workspace-wide scan reads it too');
    // A file the workspace does not know may have been looked up by name and not found.
    assert.equal(model.diskTextSeen('file:///v/environments/p/new.yaml'), true);
    assert.deepEqual(reads, [base, base]);
  });

  it('forgets deleted files', () => {
    ws.removeFile('file:///w/services/api.esc.yaml');
    assert.equal(ws.uriOf('services/api'), undefined);
    assert.deepEqual(ws.dependentsOf('base'), ['app/dev']);
  });
});
