/**
 * The one environment identity (shared/src/identity) and the readers built on it: the name
 * rule, name ↔ path in every component (core workspace, language workspace, server reader),
 * per-environment state paths that cannot leave their folders, the confined file reader
 * (links, FIFOs, directories), and JSON state files checked against their shapes.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import { candidateRelativePaths, environmentNameProblem, nameFromRelativePath, suggestCanonicalName } from '../../shared/src/identity/environmentName';
import { readEnvironmentFile } from '../../shared/src/identity/environmentFile';
import { EnvironmentWorkspace } from '../../shared/src/language/environmentWorkspace';
import { createDiskReader } from '../../server/src/diskWorkspace';
import { CoreError } from '../../client/src/core/errors';
import { HistoryStore } from '../../client/src/core/history/historyStore';
import { Journal, journalFile } from '../../client/src/core/rotation/journal';
import { lockFile } from '../../client/src/core/fs/lock';
import { ScheduleStore } from '../../client/src/core/schedules/scheduleStore';
import { WebhookStore } from '../../client/src/core/webhooks/webhookDelivery';
import { Workspace } from '../../client/src/core/workspace';
import { tempDir } from './core-support';

const NON_CANONICAL = ['app/./db', './app/db', 'app//db', 'app/db/', '/app/db', 'app/../db', '..', '.', '', 'app\\db', 'a\u001b]0;x\u0007', '@schedules'];

function isInvalidInput(e: unknown): boolean {
  return e instanceof CoreError && e.code === 'InvalidInput';
}

describe('environment identity: the name rule', () => {
  it('accepts canonical names and rejects every other spelling with a reason', () => {
    for (const ok of ['app', 'app/db-password', 'prod/eu.west/app_1', 'my env']) assert.equal(environmentNameProblem(ok), undefined, ok);
    for (const bad of NON_CANONICAL) assert.notEqual(environmentNameProblem(bad), undefined, JSON.stringify(bad));
  });

  it('suggests the canonical spelling, never one that climbs', () => {
    assert.equal(suggestCanonicalName('./app//./db/'), 'app/db');
    assert.equal(suggestCanonicalName('app/../db'), undefined);
  });

  it('maps files to names and names to files by one rule (suffixes case-sensitive)', () => {
    assert.equal(nameFromRelativePath('app/dev.yaml', true), 'app/dev');
    assert.equal(nameFromRelativePath('app/dev.esc.yml', true), 'app/dev');
    assert.equal(nameFromRelativePath('app/dev.YAML', true), undefined);
    assert.equal(nameFromRelativePath('app/dev.yaml', false), undefined);
    assert.equal(nameFromRelativePath('app/dev.esc.yaml', false), 'app/dev');
    assert.equal(nameFromRelativePath('../x/dev.esc.yaml', false), undefined);
    assert.deepEqual(candidateRelativePaths('app/../x'), []);
  });

  it('the core, the language model and the CLI agree on every name', () => {
    const root = tempDir('identity-agree');
    const files = ['environments/app/dev.yaml', 'environments/app/x.esc.yml', 'loose/svc.esc.yaml', 'environments/UPPER.YAML', 'notes.yaml'];
    for (const f of files) {
      fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
      fs.writeFileSync(path.join(root, f), 'values: {}\n');
    }
    const core = new Workspace({ root });
    const model = new EnvironmentWorkspace({ read: () => undefined });
    model.setFolders([{ uri: pathToFileURL(root).href, rootUri: pathToFileURL(path.join(root, 'environments')).href }]);
    for (const f of files) assert.equal(model.nameOf(pathToFileURL(path.join(root, f)).href), core.nameForFile(path.join(root, f)), f);
    assert.deepEqual(core.listEnvironments().map((e) => e.name), ['app/dev', 'app/x', 'loose/svc']);
  });

  it('lists environments in localeCompare order, whether the names take the code-unit fast path or not', () => {
    const listed = (names: string[]): string[] => {
      const root = tempDir('identity-order');
      for (const name of names) {
        fs.mkdirSync(path.dirname(path.join(root, 'environments', name)), { recursive: true });
        fs.writeFileSync(path.join(root, 'environments', `${name}.yaml`), 'values: {}\n');
      }
      return new Workspace({ root }).listEnvironments().map((e) => e.name);
    };
    const usual = ['app/dev', 'app-x', 'app.x', 'app/de', 'a0', 'a/0', 'a-0', 'a.0', 'ab', 'a', '0a', 'app/dev2', 'app/dev-2', 'app/dev.2', 'z', 'x9'];
    const unusual = [...usual, 'App', 'a_b', 'B/dev', 'é'];
    for (const names of [usual, unusual]) assert.deepEqual(listed(names), [...names].sort((a, b) => a.localeCompare(b)));
  });
});

describe('environment identity: state paths', () => {
  it('locks, journals and history refuse non-canonical names, so no spelling gets a second lock or leaves its folder', () => {
    const run = tempDir('identity-state');
    const history = new HistoryStore(path.join(run, 'history'));
    for (const bad of NON_CANONICAL.filter((n) => n !== '@schedules')) {
      assert.throws(() => lockFile(run, bad), JSON.stringify(bad));
      assert.throws(() => journalFile(run, bad), JSON.stringify(bad));
      assert.throws(() => history.append(bad, { kind: 'save', outcome: 'succeeded', paths: [] }), isInvalidInput, JSON.stringify(bad));
    }
    assert.ok(!fs.existsSync(path.join(run, 'history')) || fs.readdirSync(path.join(run, 'history')).length === 0);
    assert.equal(lockFile(run, 'app/db'), path.join(run, 'locks', 'app%2Fdb.lock'));
  });

  it('the workspace resolves only canonical names', () => {
    const root = tempDir('identity-resolve');
    fs.mkdirSync(path.join(root, 'environments', 'app'), { recursive: true });
    fs.writeFileSync(path.join(root, 'environments', 'app', 'db.yaml'), 'values: {}\n');
    const ws = new Workspace({ root });
    assert.equal(ws.fileFor('app/db'), path.join(root, 'environments', 'app', 'db.yaml'));
    for (const bad of ['app/./db', './app/db', 'app/../app/db']) assert.throws(() => ws.fileFor(bad), isInvalidInput);
  });

  it('schedules and webhooks refuse bad names when set and when read from the file', async () => {
    const esc = tempDir('identity-config');
    const schedules = new ScheduleStore(esc);
    await assert.rejects(schedules.set('../../x/ESC', { cron: '@daily' }), isInvalidInput);
    fs.writeFileSync(schedules.file, JSON.stringify({ version: 1, schedules: { '../../../../x/ESC': { cron: '@daily', createdAt: '2020-01-01T00:00:00Z' } } }));
    assert.throws(() => schedules.due(new Date()), (e: unknown) => isInvalidInput(e) && /schedules\.json/.test((e as Error).message));
    const hooks = new WebhookStore(esc);
    await assert.rejects(hooks.add({ url: 'https://example.com/h', environment: 'app/./db' }), isInvalidInput);
    fs.writeFileSync(hooks.file, JSON.stringify({ version: 1, hooks: [{ id: 'a', url: 'https://example.com', environment: '../x' }] }));
    assert.throws(() => hooks.list(), (e: unknown) => isInvalidInput(e) && /webhooks\.json.*hooks\[0\]\.environment/.test((e as Error).message));
  });

  it('history lists no environment for a hand-made folder whose name is not one', () => {
    const dir = tempDir('identity-history');
    fs.mkdirSync(path.join(dir, '%2E%2E'), { recursive: true });
    fs.writeFileSync(path.join(dir, '%2E%2E', '000001.json'), '{}');
    assert.deepEqual(new HistoryStore(dir).environments(), []);
  });
});

describe('environment identity: confined reading', () => {
  it('refuses links leaving the workspace and follows links inside it (writes reach the target)', () => {
    const root = tempDir('identity-links');
    const outside = tempDir('identity-outside');
    fs.mkdirSync(path.join(root, 'environments'));
    fs.writeFileSync(path.join(outside, 'secret.yaml'), 'OUTSIDE');
    fs.symlinkSync(path.join(outside, 'secret.yaml'), path.join(root, 'environments', 'leak.yaml'));
    fs.writeFileSync(path.join(root, 'real.yaml'), 'values: {}\n');
    fs.symlinkSync('../real.yaml', path.join(root, 'environments', 'inside.yaml'));
    const leak = readEnvironmentFile(path.join(root, 'environments', 'leak.yaml'), [root]);
    assert.ok(!leak.ok && /outside the workspace/.test(leak.problem));
    const inside = readEnvironmentFile(path.join(root, 'environments', 'inside.yaml'), [root]);
    assert.ok(inside.ok && inside.text === 'values: {}\n');
    const ws = new Workspace({ root });
    assert.equal(ws.requireFile('inside'), fs.realpathSync(path.join(root, 'real.yaml')));
    assert.throws(() => ws.requireFile('leak'), (e: unknown) => isInvalidInput(e) && !(e as Error).message.includes('OUTSIDE'));
    // The language server's reader: same rule.
    const reader = createDiskReader(() => [root]);
    assert.equal(reader.read(pathToFileURL(path.join(root, 'environments', 'leak.yaml')).href), undefined);
    assert.equal(reader.read(pathToFileURL(path.join(root, 'environments', 'inside.yaml')).href), 'values: {}\n');
  });

  it('refuses FIFOs and directories unopened, without blocking', () => {
    const root = tempDir('identity-fifo');
    execFileSync('mkfifo', [path.join(root, 'pipe.yaml')]);
    fs.mkdirSync(path.join(root, 'dir.yaml'));
    const pipe = readEnvironmentFile(path.join(root, 'pipe.yaml'), [root]);
    assert.ok(!pipe.ok && /not a regular file/.test(pipe.problem));
    const dir = readEnvironmentFile(path.join(root, 'dir.yaml'), [root]);
    assert.ok(!dir.ok && /is a directory/.test(dir.problem));
    assert.equal(createDiskReader(() => [root]).read(pathToFileURL(path.join(root, 'pipe.yaml')).href), undefined);
  });
});

describe('state files are checked against their shapes', () => {
  const named = (file: string, pattern: RegExp) => (e: unknown): boolean => e instanceof CoreError && e.message.includes(file) && pattern.test(e.message);

  it('a history revision of null or with wrong types names its file', () => {
    const dir = tempDir('shape-history');
    const history = new HistoryStore(dir);
    fs.mkdirSync(path.join(dir, 'app'));
    const file = path.join(dir, 'app', '000001.json');
    fs.writeFileSync(file, 'null');
    assert.throws(() => history.list('app'), named(file, /expected an object, got null/));
    fs.writeFileSync(file, JSON.stringify({ environment: 'app', number: 1, time: 't', user: 'u', kind: 'save', outcome: 'succeeded', paths: 'no' }));
    assert.throws(() => history.latest('app'), named(file, /paths: expected an array, got string/));
  });

  it('a journal without entries is an error naming it, and stays on disk (never "completed" by deleting it)', () => {
    const run = tempDir('shape-journal');
    const key = randomBytes(32);
    Journal.begin(run, 'app', key, undefined);
    const file = journalFile(run, 'app');
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    delete data.entries;
    fs.writeFileSync(file, JSON.stringify(data));
    assert.throws(() => Journal.open(run, 'app', key), named(file, /entries: missing/));
    data.entries = [{ kind: 'iam-created', userArn: 'u', at: 'now' }];
    fs.writeFileSync(file, JSON.stringify(data));
    assert.throws(() => Journal.open(run, 'app', key), named(file, /entries\[0\]\.accessKeyId: missing/));
    assert.ok(fs.existsSync(file));
  });

  it('a workspace.json of [] names the file', () => {
    const root = tempDir('shape-manifest');
    fs.mkdirSync(path.join(root, '.esc'));
    const file = path.join(root, '.esc', 'workspace.json');
    fs.writeFileSync(file, '[]');
    assert.throws(() => new Workspace({ root }).workspaceId(), named(file, /expected an object, got an array/));
    fs.writeFileSync(file, JSON.stringify({ version: 1, id: 7 }));
    assert.throws(() => new Workspace({ root }).hasDataKey(), named(file, /id: expected a string, got number/));
  });
});
