import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { DueRunResult, Schedule } from '../../../client/src/core/schedules/scheduleStore';
import { ScheduleStore } from '../../../client/src/core/schedules/scheduleStore';
import type { EnvironmentNode, RevisionNode } from '../../../client/src/extension/history/historyTree';
import { environmentPath, escApi, eventually, workspaceRoot } from './helpers';

const escDir = () => path.join(workspaceRoot(), '.esc');

async function newest(environment: string): Promise<RevisionNode | undefined> {
  const { historyTree } = await escApi();
  const env = historyTree.getChildren().find((n): n is EnvironmentNode => n.kind === 'environment' && n.environment === environment);
  return env ? (historyTree.getChildren(env)[0] as RevisionNode | undefined) : undefined;
}

describe('rotation schedules', () => {
  it('stores a schedule set from VS Code where the CLI reads it', async () => {
    const uri = vscode.Uri.file(environmentPath('rotate/password.yaml'));
    const schedule = await vscode.commands.executeCommand<Schedule>('esc.schedule.set', { uri, cron: '0 3 * * 1' });
    assert.ok(schedule);
    assert.strictEqual(schedule.cron, '0 3 * * 1');
    const file = JSON.parse(fs.readFileSync(path.join(escDir(), 'schedules.json'), 'utf8')) as { schedules: Record<string, { cron?: string }> };
    assert.strictEqual(file.schedules['rotate/password']?.cron, '0 3 * * 1');
    assert.strictEqual(await vscode.commands.executeCommand('esc.schedule.remove', { uri }), true);
    assert.strictEqual(new ScheduleStore(escDir()).get('rotate/password'), undefined);
  });

  it('runs due schedules, recording the successful and the failed run in the history', async () => {
    const store = new ScheduleStore(escDir());
    // Created two days ago and never run: both are due now.
    const twoDaysAgo = new Date(Date.now() - 2 * 86400_000);
    await store.set('rotate/password', { cron: '0 3 * * *' }, twoDaysAgo);
    await store.set('rotate/unmanaged', { cron: '0 3 * * *' }, twoDaysAgo);
    const before = (await newest('rotate/password'))?.revision.number ?? 0;

    const results = await vscode.commands.executeCommand<DueRunResult[]>('esc.schedule.runDue', { ask: false });
    const byEnv = new Map(results.map(r => [r.environment, r.run]));
    assert.strictEqual(byEnv.get('rotate/password')?.outcome, 'succeeded', JSON.stringify(results));
    assert.strictEqual(byEnv.get('rotate/unmanaged')?.outcome, 'failed');
    assert.match(byEnv.get('rotate/unmanaged')?.error ?? '', /nobody-stored-this/, 'the failure names the missing credentials');

    const rotated = await eventually('the scheduled rotation in the view', async () => {
      const n = await newest('rotate/password');
      return n && n.revision.number === before + 1 ? n : undefined;
    });
    assert.strictEqual(rotated.revision.trigger, 'schedule');
    assert.strictEqual(rotated.revision.outcome, 'succeeded');
    const failed = await eventually('the failed run in the view', () => newest('rotate/unmanaged'));
    assert.strictEqual(failed.revision.outcome, 'failed');
    assert.strictEqual(failed.revision.trigger, 'schedule');
    const { historyTree } = await escApi();
    assert.match(String(historyTree.getTreeItem(failed).description), / · failed$/);

    // Each slot runs once: nothing is due any more.
    assert.deepStrictEqual(await vscode.commands.executeCommand<DueRunResult[]>('esc.schedule.runDue', { ask: false }), []);
    await store.remove('rotate/password');
    await store.remove('rotate/unmanaged');
  });
});
