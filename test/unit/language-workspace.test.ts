/** The workspace model: environment names, open documents over disk, dependents. */
import { strict as assert } from 'node:assert';
import { EnvironmentWorkspace, scanDependencies } from '../../shared/src/language/environmentWorkspace';

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

  it('forgets deleted files', () => {
    ws.removeFile('file:///w/services/api.esc.yaml');
    assert.equal(ws.uriOf('services/api'), undefined);
    assert.deepEqual(ws.dependentsOf('base'), ['app/dev']);
  });
});
