/**
 * The extension's preview renderer and relative times (vscode-free parts of client/src): the
 * redaction rules the e2e suite relies on, checked on crafted values.
 */
import * as assert from 'assert';
import type { Value } from '../../shared/src/value/value';
import { renderPreview } from '../../client/src/extension/preview/previewText';
import { redactSecrets } from '../../client/src/output/redaction';
import { relativeTime, shortAge } from '../../client/src/extension/history/relativeTime';

const v = (value: Value['value'], flags: Partial<Pick<Value, 'secret' | 'unknown'>> = {}): Value => ({ value, trace: {}, ...flags });

const root = v({
  host: v('db.example.com'),
  password: v('hunter2-plaintext', { secret: true }),
  token: v(null, { secret: true, unknown: true }),
  login: v(null, { unknown: true }),
  nested: v({ list: v([v('a'), v('b-secret', { secret: true })]) }),
  environmentVariables: v({
    HOST: v('db.example.com'),
    PASSWORD: v('hunter2-plaintext', { secret: true }),
    LOGIN: v(null, { unknown: true }),
  }),
  files: v({ KEY_FILE: v('-----BEGIN KEY-----', { secret: true }) }),
});

describe('extension preview rendering', () => {
  it('redacts every secret, including secrets not known in check mode, and keeps unknowns unknown', () => {
    const redacted = redactSecrets(root);
    const text = JSON.stringify(redacted);
    assert.ok(!text.includes('hunter2-plaintext'));
    assert.ok(!text.includes('b-secret'));
    const yaml = renderPreview({ environment: 'app/dev', root, diagnostics: [], revealed: false }, 'yaml');
    assert.match(yaml, /^password: "\[secret\]"$/m);
    assert.match(yaml, /^token: "\[secret\]"$/m, 'a secret that is also unknown shows as [secret]');
    assert.match(yaml, /^login: "\[unknown\]"$/m);
    assert.match(yaml, /^# app\/dev, resolved — secrets: \[secret\]$/m);
    assert.ok(!yaml.includes('hunter2-plaintext') && !yaml.includes('b-secret') && !yaml.includes('BEGIN KEY'));
  });

  it('renders dotenv and shell from environmentVariables, listing files without writing them', () => {
    const dotenv = renderPreview({ environment: 'app/dev', root, diagnostics: [], revealed: false }, 'dotenv');
    assert.ok(dotenv.includes('HOST="db.example.com"'));
    assert.ok(dotenv.includes('PASSWORD="[secret]"'));
    assert.ok(dotenv.includes('LOGIN="[unknown]"'));
    assert.ok(dotenv.includes('KEY_FILE="[secret]"'));
    const shell = renderPreview({ environment: 'app/dev', root, diagnostics: [], revealed: true }, 'shell');
    assert.ok(shell.includes("export PASSWORD='hunter2-plaintext'"), 'revealed on request');
    assert.match(shell, /export KEY_FILE='<path of a temporary file with 19 characters>'/);
    assert.ok(!shell.includes('BEGIN KEY'), 'file contents never appear, not even revealed');
  });

  it('renders JSON without a header and says why nothing could be evaluated', () => {
    const json = renderPreview({ environment: 'app/dev', root, diagnostics: [], revealed: false }, 'json');
    assert.strictEqual((JSON.parse(json) as { password: string }).password, '[secret]');
    const range = { environment: 'app/dev', begin: { line: 3, column: 5, byte: 20 }, end: { line: 3, column: 9, byte: 24 } };
    const failed = renderPreview({ environment: 'app/dev', diagnostics: [{ severity: 1, summary: 'unknown property "x"', path: 'values.a', range }], revealed: false }, 'yaml');
    assert.match(failed, /# error: unknown property "x" \(app\/dev:3:5\)/);
    assert.match(failed, /could not be evaluated/);
  });

  it('describes ages for the history view and the status bar', () => {
    const now = new Date('2026-11-22T12:00:00Z');
    assert.strictEqual(relativeTime(new Date('2026-11-22T11:59:55Z'), now), 'just now');
    assert.strictEqual(relativeTime(new Date('2026-11-22T11:57:00Z'), now), '3 minutes ago');
    assert.strictEqual(relativeTime(new Date('2026-11-21T12:00:00Z'), now), '1 day ago');
    assert.strictEqual(relativeTime(new Date('2026-11-24T12:00:00Z'), now), 'in 2 days');
    assert.strictEqual(shortAge(new Date('2026-11-22T09:00:00Z'), now), '3h');
    assert.strictEqual(shortAge(new Date('2026-11-19T12:00:00Z'), now), '3d');
  });
});
