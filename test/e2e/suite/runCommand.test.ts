/** ESC: Run Command with Environment — a real VS Code terminal running the bundled `esc-local run`. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { environmentPath, eventually, workspaceRoot } from './helpers';

describe('ESC: Run Command with Environment (terminal)', () => {
  it('runs the command in a terminal with the environment\'s variables and files, and exits with its code', async () => {
    const file = environmentPath('run/app.yaml');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'values:\n  environmentVariables:\n    GREETING: hello from esc\n  files:\n    CONFIG_FILE: "mode: e2e"\n');
    const out = path.join(workspaceRoot(), 'run-output.txt');
    const command = `printf '%s|' "$GREETING" > "${out}"; cat "$CONFIG_FILE" >> "${out}"; exit 3`;
    const terminal = (await vscode.commands.executeCommand('esc.runWithEnvironment', { uri: vscode.Uri.file(file), command })) as vscode.Terminal | undefined;
    assert.ok(terminal, 'a terminal was opened');
    assert.strictEqual(terminal.name, 'ESC: run/app');
    const status = await eventually('the command to finish', () => terminal.exitStatus, 60000);
    assert.strictEqual(status.code, 3);
    assert.strictEqual(fs.readFileSync(out, 'utf8'), 'hello from esc|mode: e2e');
    terminal.dispose();
    fs.rmSync(out);
    fs.rmSync(path.dirname(file), { recursive: true });
  });
});
