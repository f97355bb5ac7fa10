/**
 * `esc-local check [ENV|FILE…]`: the language server's diagnostics (same language service, same
 * check-mode evaluator: providers never run, nothing decrypted), for pre-commit hooks and CI.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-types';
import { createCheckModeChecker } from '../../../../shared/src/language/evaluation';
import { EscLanguageService } from '../../../../shared/src/language/service';
import { EnvironmentWorkspace, type DiskReader } from '../../../../shared/src/language/environmentWorkspace';
import { SECRET_PLACEHOLDER, secretSpans } from '../../../../shared/src/patch/index';
import { readEnvironmentFile } from '../../../../shared/src/identity/environmentFile';
import type { LiteralTree } from '../../../../shared/src/syntax/literalTree';
import type { Command } from '../command';
import type { CliContext } from '../context';
import { EXIT } from '../exitCodes';

/** The language model reads files by the one rule (shared/src/identity): regular files inside the workspace only. */
function confinedReader(roots: readonly string[]): DiskReader {
  return {
    read(uri: string): string | undefined {
      const read = readEnvironmentFile(fileURLToPath(uri), roots);
      return read.ok ? read.text : undefined;
    },
  };
}

function localUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'local';
  }
}

/** One diagnostic as `--json` prints it (1-based line/column like compilers; end exclusive). */
export interface CheckFinding {
  environment: string;
  file: string;
  severity: 'error' | 'warning' | 'info';
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
  code?: string;
}

function severityOf(d: Diagnostic): CheckFinding['severity'] {
  return d.severity === 1 || d.severity === undefined ? 'error' : d.severity === 2 ? 'warning' : 'info';
}

/**
 * The file's lines for source excerpts, with everything under a `fn::secret` (any form: string,
 * map, list, anchored) replaced by `[secret]`, found on the document's structure; a document
 * whose structure is unreliable (YAML errors, tabs, over the limits) shows no line from the
 * first `fn::secret` on. Check output ends up in CI logs, which must never hold a secret.
 */
export function maskedSourceLines(text: string, tree?: LiteralTree): string[] {
  const { spans, hiddenFrom } = secretSpans(text, tree);
  let masked = '';
  let at = 0;
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    if (span.start < at) continue;
    // The secret's own line breaks stay, so excerpts of later lines keep their line numbers.
    const breaks = text.slice(span.start, span.end).replace(/[^\n]/g, '');
    masked += text.slice(at, span.start) + SECRET_PLACEHOLDER + breaks;
    at = span.end;
  }
  masked += text.slice(at, hiddenFrom ?? text.length);
  const lines = masked.split(/\r?\n/);
  if (hiddenFrom !== undefined) {
    const shown = text.slice(0, hiddenFrom).split(/\r?\n/).length - 1;
    const total = text.split(/\r?\n/).length;
    lines.length = shown;
    for (let i = shown; i < total; i++) lines.push('[hidden: not valid YAML, so its secrets cannot be located]');
  }
  return lines;
}

/**
 * The masked lines of the text `service` checked for `uri`, read from the document model the
 * check built (its one parse serves the masking, so the excerpts are of the text checked and it
 * is not parsed again); from disk if there is no model.
 */
export function checkedSourceLines(service: EscLanguageService, uri: string, reader: DiskReader): string[] {
  const doc = service.document(uri);
  return doc ? maskedSourceLines(doc.text, doc.tree) : maskedSourceLines(reader.read(uri) ?? '');
}

export const checkCommand: Command = {
  name: 'check',
  summary: 'Report diagnostics as the language server does (exit 1 on errors)',
  usage: 'check [ENV|FILE…] [--json]',
  description: [
    'Checks environments (all of the workspace by default) exactly as the editor does: YAML and ESC',
    'syntax, schemas of providers and rotators, unknown names with suggestions, interpolation paths,',
    'cycles, missing imports, invalid ciphertext, and warnings for plaintext fn::secret values.',
    'Providers and rotators are not run and nothing is decrypted, so it needs no credentials.',
    'Exit code 1 when any error is found (warnings alone exit 0).',
  ].join('\n'),
  options: [{ name: 'json', description: 'print findings as a JSON array' }],
  args: { min: 0, max: Infinity },
  examples: ['esc-local check', 'esc-local check environments/prod/app.yaml --json'],
  async run(ctx: CliContext, args) {
    const workspace = ctx.workspace;
    const all = workspace.listEnvironments();
    const targets = args.positionals.length === 0 ? all : args.positionals.map((a) => ctx.resolveEnvironment(a));
    const diskReader = confinedReader(workspace.confinement());
    const model = new EnvironmentWorkspace(diskReader);
    model.setFolders([{ uri: pathToFileURL(workspace.root).href, rootUri: pathToFileURL(workspace.environmentsDir).href }]);
    for (const env of all) model.addFile(pathToFileURL(env.file).href);
    const service = new EscLanguageService(model, createCheckModeChecker({ pulumi: { user: { id: localUser() } } }));

    const findings: CheckFinding[] = [];
    const texts = new Map<string, string[]>();
    for (const env of targets) {
      const uri = pathToFileURL(env.file).href;
      model.addFile(uri);
      if (targets.length > 1) ctx.ui.progress(`checking ${env.name}`);
      const rel = path.relative(ctx.cwd, env.file) || env.file;
      // An environment that cannot be read (refused link, FIFO, directory, permission) is an error, not "nothing found".
      const readable = readEnvironmentFile(env.file, workspace.confinement());
      if (!readable.ok) {
        findings.push({ environment: env.name, file: rel, severity: 'error', line: 1, column: 1, endLine: 1, endColumn: 1, message: `${rel} ${readable.problem}`, code: 'unreadable' });
        continue;
      }
      const diagnostics = await service.diagnostics(uri, ctx.signal);
      for (const d of diagnostics) {
        findings.push({
          environment: env.name,
          file: rel,
          severity: severityOf(d),
          line: d.range.start.line + 1,
          column: d.range.start.character + 1,
          endLine: d.range.end.line + 1,
          endColumn: d.range.end.character + 1,
          message: typeof d.message === 'string' ? d.message : String(d.message),
          ...(d.code !== undefined ? { code: String(d.code) } : {}),
        });
      }
      if (diagnostics.length > 0) texts.set(rel, checkedSourceLines(service, uri, diskReader));
    }

    const errors = findings.filter((f) => f.severity === 'error').length;
    const warnings = findings.filter((f) => f.severity === 'warning').length;
    if (args.flags.has('json')) {
      ctx.ui.print(JSON.stringify(findings, null, 2));
    } else {
      const { red, yellow, cyan, bold, dim } = ctx.ui.out;
      for (const f of findings) {
        const sev = f.severity === 'error' ? red('error') : f.severity === 'warning' ? yellow('warning') : cyan('info');
        ctx.ui.print(`${bold(`${f.file}:${f.line}:${f.column}`)}: ${sev}: ${f.message}${f.code ? dim(` [${f.code}]`) : ''}`);
        const source = texts.get(f.file)?.[f.line - 1];
        if (source !== undefined) {
          const wanted = f.endLine === f.line ? f.endColumn - f.column : source.length - f.column + 1;
          const width = Math.max(1, Math.min(wanted, source.length - f.column + 1));
          ctx.ui.print(`  ${source}`);
          ctx.ui.print(`  ${' '.repeat(f.column - 1)}${(f.severity === 'error' ? red : yellow)('^'.repeat(width))}`);
        }
      }
      const summary = `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} in ${targets.length} environment${targets.length === 1 ? '' : 's'}`;
      ctx.ui.info(errors > 0 ? ctx.ui.err.red(summary) : summary);
    }
    return errors > 0 ? EXIT.failed : EXIT.ok;
  },
};
