/**
 * The conformance runner on folders of the corpus format: passing and failing cases are reported
 * as such with the first difference, the exit code reflects failures, and an absent folder is
 * reported without claiming passes.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const RUNNER = path.resolve(__dirname, '..', 'conformance', 'run.js');

function diag(file: string, summary: string, p: string, range: [number, number, number, number]): object {
  return {
    Severity: 1, Summary: summary, Detail: '', Path: p,
    Subject: { Filename: file, Start: { Line: range[0], Column: range[1], Byte: 0 }, End: { Line: range[2], Column: range[3], Byte: 0 } },
  };
}

function writeCase(root: string, group: string, name: string, files: Record<string, string | object>): void {
  const dir = path.join(root, group, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), typeof content === 'string' ? content : JSON.stringify(content));
  }
}

function run(args: string[]): { code: number | null; lines: string[] } {
  const r = spawnSync(process.execPath, [RUNNER, ...args], { encoding: 'utf8' });
  return { code: r.status, lines: r.stdout.trim().split('\n') };
}

describe('conformance runner', () => {
  let root: string;

  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'esc-corpus-'));
    writeCase(root, 'eval', 'good', {
      'env.yaml': 'imports:\n  - lib/base\nvalues:\n  a: ${b}\n  s: { fn::secret: x }\n',
      'lib/base.yaml': 'values:\n  b: 1\n',
      'expected.json': {
        checkJson: { a: 1, b: 1, s: '[secret]' },
        evalJsonRedacted: { a: 1, b: 1, s: '[secret]' },
        evalJSONRevealed: { a: 1, b: 1, s: 'x' },
      },
    });
    writeCase(root, 'eval', 'wrong-json', {
      'env.yaml': 'values:\n  a: 1\n',
      'expected.json': { checkJson: { a: 2 }, evalJsonRedacted: { a: 1 }, evalJSONRevealed: { a: 1 } },
    });
    writeCase(root, 'eval', 'wrong-diag', {
      'env.yaml': 'values:\n  a: ${nope}\n',
      'expected.json': {
        checkDiags: [diag('wrong-diag', 'unknown property "nope"', 'values.a', [2, 6, 2, 13])],
        checkJson: { a: '[unknown]' },
      },
    });
    writeCase(root, 'eval', 'load-case', { 'env.yaml': 'values: {}\n' });
    writeCase(root, 'parse', 'p', {
      'env.yaml': 'values:\n  j: { fn::join: x }\n',
      'expected.json': { diags: [diag('p', 'the argument to fn::join must be a two-valued list', 'values.j["fn::join"]', [2, 18, 2, 19])] },
    });
  });

  after(() => rmSync(root, { recursive: true, force: true }));

  it('reports each case, the first difference, the totals and the exit code', () => {
    const { code, lines } = run(['--dir', root]);
    assert.equal(code, 1);
    assert.ok(lines.includes('PASS eval/good'), lines.join('\n'));
    assert.ok(lines.includes('PASS parse/p'), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith('FAIL eval/wrong-json: checkJson: at .a: expected 2, got 1')), lines.join('\n'));
    // The expected range is off by two columns: the runner must notice.
    assert.ok(lines.some((l) => l.startsWith('FAIL eval/wrong-diag: checkDiags: expected error "unknown property \\"nope\\""')), lines.join('\n'));
    assert.ok(!lines.some((l) => l.includes('load-case')), 'a case without expected.json is not a correctness case');
    assert.equal(lines[lines.length - 1], '2 passed, 2 failed');
  });

  it('exits 0 when every case passes', () => {
    const { code, lines } = run(['--dir', root, '--filter', 'good']);
    assert.equal(code, 0);
    assert.deepEqual(lines, ['PASS eval/good', '1 passed, 0 failed']);
  });

  it('says so, without claiming passes, when the corpus folder is absent', () => {
    const { code, lines } = run(['--dir', path.join(root, 'missing')]);
    assert.equal(code, 0);
    assert.equal(lines.length, 1);
    assert.match(lines[0], /not found/);
  });
});
