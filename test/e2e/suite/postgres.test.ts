/**
 * Rotating a PostgreSQL password through the extension, against the real PostgreSQL server the
 * harness (run.ts) started: Rotate Secrets switches users, the Rotation History view and the
 * status bar say "user switched", and both users log in with the passwords the file holds.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Client } from 'pg';
import * as vscode from 'vscode';
import type { RotationResult } from '../../../client/src/core/escCore';
import { EscCore } from '../../../client/src/core/escCore';
import type { EnvironmentNode, RevisionNode } from '../../../client/src/extension/history/historyTree';
import { toJSON } from '../../../shared/src/eval/index';
import { environmentPath, escApi, eventually, openEnvironment, recordSecret, workspaceRoot } from './helpers';

interface Credential {
  username: string;
  password: string;
}
interface PostgresSetup {
  host: string;
  port: number;
  managing: Credential;
  rotated: Credential[];
}

function setup(): PostgresSetup {
  const json = process.env.ESC_E2E_POSTGRES;
  assert.ok(json, 'ESC_E2E_POSTGRES is set by the harness');
  return JSON.parse(json) as PostgresSetup;
}

async function logsIn(pg: PostgresSetup, c: Credential): Promise<string> {
  const client = new Client({ host: pg.host, port: pg.port, user: c.username, password: c.password, database: 'appdb', connectionTimeoutMillis: 10000 });
  await client.connect();
  try {
    return (await client.query<{ u: string }>('SELECT current_user AS u')).rows[0]!.u;
  } finally {
    await client.end();
  }
}

describe('Rotate Secrets: PostgreSQL (real server)', () => {
  it('switches users on each rotation; history and status bar show the user switch; both users log in', async () => {
    const pg = setup();
    const write = (relative: string, text: string) => {
      fs.mkdirSync(path.dirname(environmentPath(relative)), { recursive: true });
      fs.writeFileSync(environmentPath(relative), text);
    };
    write('creds/postgres.yaml', ['values:', '  managingUser:', `    username: ${pg.managing.username}`, '    password:', `      fn::secret: ${pg.managing.password}`, ''].join('\n'));
    const initial = pg.rotated[1]!;
    write(
      'rotate/postgres.yaml',
      [
        'values:',
        '  db:',
        '    fn::rotate::postgres:',
        '      inputs:',
        '        database:',
        `          host: ${pg.host}`,
        `          port: ${pg.port}`,
        '          database: appdb',
        '          sslmode: require',
        '          managingUser: ${environments.creds.postgres.managingUser}',
        '        rotateUsers:',
        `          username1: ${pg.rotated[0]!.username}`,
        `          username2: ${pg.rotated[1]!.username}`,
        '      state:',
        '        current:',
        `          username: ${initial.username}`,
        '          password:',
        `            fn::secret: ${initial.password}`,
        '',
      ].join('\n'),
    );
    const doc = await openEnvironment('rotate/postgres.yaml');
    const { historyTree, statusBar } = await escApi();
    const core = new EscCore({ workspace: { root: workspaceRoot() } });
    let current = initial;
    for (let round = 1; round <= 2; round++) {
      const result = await vscode.commands.executeCommand<RotationResult>('esc.rotateSecrets', { uri: doc.uri, paths: ['db'] });
      assert.ok(result, `rotation ${round} returned a result`);
      assert.strictEqual(result.ok, true, `rotation ${round}: ${result.message}`);
      const opened = toJSON({ value: (await core.open('rotate/postgres')).environment!.properties, trace: {} }, { redact: false }) as unknown as { db: { current: Credential; previous: Credential } };
      recordSecret(opened.db.current.password);
      assert.notStrictEqual(opened.db.current.username, current.username, 'the other user is current');
      assert.deepStrictEqual(opened.db.previous, current, 'the user that was current is previous, its password unchanged');
      assert.strictEqual(await logsIn(pg, opened.db.current), opened.db.current.username);
      assert.strictEqual(await logsIn(pg, opened.db.previous), opened.db.previous.username);
      const text = fs.readFileSync(environmentPath('rotate/postgres.yaml'), 'utf8');
      assert.ok(!text.includes(opened.db.current.password), 'the new password is encrypted in the file');

      const revision = await eventually(`revision ${round} of rotate/postgres in the history view`, () => {
        const env = historyTree.getChildren().find((n): n is EnvironmentNode => n.kind === 'environment' && n.environment === 'rotate/postgres');
        const newest = env && historyTree.getChildren(env)[0];
        return newest?.kind === 'revision' && newest.revision.number === round ? (newest as RevisionNode) : undefined;
      });
      const rows = historyTree.getChildren(revision).map(child => String(historyTree.getTreeItem(child).description));
      assert.deepStrictEqual(rows, [`postgres · user switched ${current.username} → ${opened.db.current.username}`]);
      await vscode.window.showTextDocument(doc);
      statusBar.update();
      assert.ok(statusBar.current, 'the status bar shows the environment');
      assert.match(statusBar.current.tooltip, new RegExp(`db \\(postgres\\): user switched ${current.username} → ${opened.db.current.username}`));
      current = opened.db.current;
    }
  });
});
