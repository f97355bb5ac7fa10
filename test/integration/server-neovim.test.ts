/**
 * An independent, widely used LSP client: Neovim's built-in one (Debian `neovim`, headless)
 * opens a fixture environment through the real server and reports what it received.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, SERVER_MAIN, TempWorkspace } from './lsp-support';

interface NeovimResult {
  waited: boolean;
  diagnostics: { lnum: number; col: number; end_lnum: number; end_col: number; severity: number; message: string; source: string }[];
  hover: string | null;
  error?: string;
}

describe('language server with Neovim\'s LSP client', function () {
  this.timeout(60000);

  it('receives located diagnostics and hover for a fixture environment', () => {
    const ws = new TempWorkspace('workspace');
    const outDir = mkdtempSync(join(tmpdir(), 'esc-nvim-'));
    const out = join(outDir, 'result.json');
    try {
      const run = spawnSync('nvim', ['--headless', '--clean', '-n', '-c', `luafile ${join(FIXTURES, 'neovim/diagnostics.lua')}`], {
        env: { ...process.env, ESC_OUT: out, ESC_NODE: process.execPath, ESC_SERVER: SERVER_MAIN, ESC_ROOT: ws.dir, ESC_FILE: join(ws.dir, 'environments/broken.yaml'), ESC_HOVER_LINE: '4', ESC_HOVER_COL: '8', XDG_STATE_HOME: outDir, XDG_DATA_HOME: outDir },
        timeout: 45000,
        encoding: 'utf8',
      });
      assert.equal(run.error, undefined, `nvim failed to run: ${String(run.error)}`);
      const result = JSON.parse(readFileSync(out, 'utf8')) as NeovimResult;
      assert.equal(result.error, undefined);
      assert.equal(result.waited, true);
      assert.deepEqual(
        result.diagnostics.map((d) => `${d.lnum}:${d.col}-${d.end_lnum}:${d.end_col} ${d.severity} ${d.source} ${d.message}`),
        [
          '1:4-1:18 1 esc environment "does-not-exist" not found',
          '4:4-4:22 1 esc unknown provider "aws-logn"; did you mean "aws-login"?',
          '6:13-6:17 1 esc unknown property "nope"',
          '8:4-8:12 1 esc unknown builtin function "fn::joim"; did you mean "fn::join"?',
        ],
      );
      assert.equal(result.hover, 'Unknown provider `aws-logn`.');
    } finally {
      rmSync(outDir, { recursive: true, force: true });
      ws.dispose();
    }
  });
});
