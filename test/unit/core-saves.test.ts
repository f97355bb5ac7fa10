/**
 * Edits made to an environment file outside any operation of the tool (`git pull`, another
 * editor, a script) become a `save` revision right before the core writes the file — rotation,
 * scheduled rotation, encryption, rollback — so the operation's own revision shows only its own
 * change. Through the real core, the real keychain (with-keyring.sh) and the password rotator.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EscCore, type CoreOptions } from '../../client/src/core/escCore';
import { CoreError } from '../../client/src/core/errors';
import { runDueSchedules, ScheduleStore } from '../../client/src/core/schedules/scheduleStore';
import { coreScheduledRotation } from '../../client/src/core/schedules/scheduleRunner';
import type { RotationResult } from '../../client/src/core/escCore';
import { tempDir } from './core-support';

const PASSWORD_ENV = 'values:\n  note: first\n  password:\n    fn::rotate::password:\n      inputs:\n        length: 24\n';
const SECRET_ENV = 'values:\n  note: first\n  token:\n    fn::secret: plaintext-token-4711\n';

describe('core: edits made outside are recorded as a save before every write', function () {
  this.timeout(60000);
  const service = `esc-local-saves-test-${process.pid}`;
  let root: string;
  let file: string;
  const cores: EscCore[] = [];

  const makeCore = (options: Partial<CoreOptions> = {}): EscCore => {
    const core = new EscCore({ workspace: { root }, keychainService: service, tool: 'test', ...options });
    cores.push(core);
    return core;
  };
  const kinds = (core: EscCore): string[] => core.history.list('app').map((r) => r.kind);
  const edit = (from: string, to: string): void => fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(from, to));

  beforeEach(() => {
    root = tempDir('saves');
    file = path.join(root, 'environments', 'app.yaml');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, PASSWORD_ENV);
  });
  afterEach(async () => {
    for (const core of cores.splice(0)) await core.keychain.forgetDataKey(core.workspace.workspaceId());
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('rotate: a save with the edited definition precedes the rotation, and is handed back', async () => {
    const core = makeCore({ saveTrigger: 'cli' });
    await core.rotate('app', { trigger: 'cli' });
    edit('note: first', 'note: edited by git pull');
    const edited = fs.readFileSync(file, 'utf8');
    const r = await core.rotate('app', { trigger: 'cli' });
    assert.equal(r.ok, true, r.message);
    assert.deepEqual(kinds(core), ['rotation', 'save', 'rotation']);
    assert.equal(r.save?.number, 2);
    assert.equal(r.saveWarning, undefined);
    assert.equal(r.revision?.number, 3);
    const save = core.history.get('app', 2);
    assert.equal(save.definition, edited, 'the save holds the file as edited, before the rotation wrote it');
    assert.equal(save.trigger, 'cli');
    assert.match(core.history.get('app', 3).definition!, /note: edited by git pull/);
    assert.equal(core.history.diff('app', 'environments/app.yaml', 2, 3).includes('note:'), false, 'the rotation\'s revision shows only the rotation');
  });

  it('rotate: an unchanged file records no save; with saves off, edits record none either', async () => {
    const core = makeCore();
    await core.rotate('app');
    const again = await core.rotate('app');
    assert.equal(again.save, undefined);
    assert.deepEqual(kinds(core), ['rotation', 'rotation']);
    edit('note: first', 'note: edited');
    const off = await makeCore({ recordSaves: false }).rotate('app');
    assert.equal(off.save, undefined);
    assert.deepEqual(kinds(core), ['rotation', 'rotation', 'rotation']);
  });

  it('rotate: the first operation on an environment without history starts it with its own revision', async () => {
    const core = makeCore();
    const r = await core.rotate('app');
    assert.equal(r.save, undefined);
    assert.deepEqual(kinds(core), ['rotation']);
  });

  it('rotate: a file holding a plaintext secret is compared through its digest (no save when unchanged, one when edited)', async () => {
    fs.writeFileSync(file, `${PASSWORD_ENV}  token:\n    fn::secret: plaintext-token-4711\n`);
    const core = makeCore();
    await core.rotate('app');
    assert.equal((await core.rotate('app')).save, undefined, 'the rotation\'s own write is no edit');
    edit('note: first', 'note: edited');
    const r = await core.rotate('app');
    assert.equal(r.save?.number, 3);
    assert.deepEqual(kinds(core), ['rotation', 'rotation', 'save', 'rotation']);
    for (const rev of core.history.list('app')) assert.ok(!JSON.stringify(core.history.get('app', rev.number)).includes('plaintext-token-4711'), 'no plaintext in any revision');
  });

  it('a scheduled rotation through the core: the save precedes the scheduled rotation and reaches onResult', async () => {
    const core = makeCore({ saveTrigger: 'extension' });
    await core.rotate('app', { trigger: 'extension' });
    edit('note: first', 'note: edited in another editor');
    const store = new ScheduleStore(core.workspace.toolDir);
    await store.set('app', { cron: '0 3 * * *' }, new Date(Date.now() - 8 * 86_400_000));
    const results: RotationResult[] = [];
    const ran = await runDueSchedules(store, coreScheduledRotation(core, { onResult: (r) => void results.push(r) }));
    assert.deepEqual(ran.map((r) => r.run.outcome), ['succeeded']);
    assert.deepEqual(core.history.list('app').map((r) => [r.kind, r.trigger]), [['rotation', 'extension'], ['save', 'extension'], ['rotation', 'schedule']]);
    assert.equal(results[0]?.save?.number, 2);
    assert.match(core.history.get('app', 2).definition!, /note: edited in another editor/);
  });

  it('encrypt: a save with the edited definition (secrets encrypted) precedes the encryption; none when unchanged or off', async () => {
    fs.writeFileSync(file, SECRET_ENV);
    const core = makeCore();
    await core.encryptFile('app');
    fs.appendFileSync(file, '  other:\n    fn::secret: second-plaintext-99\n');
    const r = await core.encryptFile('app');
    assert.equal(r.encrypted, 1);
    assert.equal(r.save?.number, 2);
    assert.deepEqual(kinds(core), ['encrypt', 'save', 'encrypt']);
    const save = core.history.get('app', 2).definition!;
    assert.match(save, /other:/);
    assert.ok(!save.includes('second-plaintext-99'), 'the save stores the new secret encrypted');
    fs.appendFileSync(file, '  third:\n    fn::secret: third-plaintext\n');
    assert.equal((await makeCore({ recordSaves: false }).encryptFile('app')).save, undefined);
    assert.deepEqual(kinds(core), ['encrypt', 'save', 'encrypt', 'encrypt']);
  });

  it('encrypt with nothing to encrypt still records the edits (the CLI\'s step after editing by hand), and writes nothing', async () => {
    const core = makeCore();
    await core.rotate('app');
    edit('note: first', 'note: edited by hand');
    const edited = fs.readFileSync(file, 'utf8');
    const r = await core.encryptFile('app');
    assert.deepEqual([r.encrypted, r.revision, r.save?.number], [0, undefined, 2]);
    assert.deepEqual(kinds(core), ['rotation', 'save']);
    assert.equal(fs.readFileSync(file, 'utf8'), edited);
    assert.equal((await core.encryptFile('app')).save, undefined, 'once');
  });

  it('rollback: a save with the edited definition precedes the rollback, so the edits it overwrites stay in the history', async () => {
    const core = makeCore();
    await core.rotate('app');
    edit('note: first', 'note: edited by a script');
    const edited = fs.readFileSync(file, 'utf8');
    const r = await core.rollback('app', 1);
    assert.equal(r.save?.number, 2);
    assert.deepEqual(kinds(core), ['rotation', 'save', 'rollback']);
    assert.equal(core.history.get('app', 2).definition, edited);
    assert.match(fs.readFileSync(file, 'utf8'), /note: first/);
    assert.equal((await core.rollback('app', 1)).save, undefined, 'unchanged since the rollback: no save');
  });

  it('a save that cannot be recorded: the rotation goes on with a warning; the rollback refuses and leaves the file', async () => {
    const core = makeCore();
    await core.rotate('app');
    await core.rotate('app');
    edit('note: first', 'note: edited');
    // The newest revision becomes unreadable: the comparison with it fails.
    const newest = path.join(core.history.dir, 'app', '000002.json');
    const good = fs.readFileSync(newest, 'utf8');
    fs.writeFileSync(newest, '{ broken');
    const before = fs.readFileSync(file, 'utf8');
    await assert.rejects(core.rollback('app', 1), (e: unknown) => e instanceof CoreError && e.code === 'RollbackRefused' && /not recorded as a save: .*rolling back would lose them/.test(e.message));
    assert.equal(fs.readFileSync(file, 'utf8'), before, 'the edits are not overwritten');
    fs.writeFileSync(newest, good);

    const failing = makeCore();
    failing.history.latestWithDefinition = (): never => {
      throw new Error('disk on fire');
    };
    const r = await failing.rotate('app');
    assert.equal(r.ok, true, r.message);
    assert.equal(r.save, undefined);
    assert.match(r.saveWarning ?? '', /the edits to app since its last revision were not recorded as a save: disk on fire/);
    assert.match(fs.readFileSync(file, 'utf8'), /note: edited/, 'the rotation wrote, keeping the edits');
    assert.match(failing.history.get('app', r.revision!.number).definition!, /note: edited/, 'its revision holds the edits');
  });
});
