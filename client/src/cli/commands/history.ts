/** `esc-local history`, `diff`, `rollback`: the revision history kept in `.esc/history/` (no secrets). */
import * as fs from 'node:fs';
import { diffLines, formatDiff } from '../../core/diff';
import { CoreError } from '../../core/errors';
import { describeCredentialChange, redactDefinition, type Revision } from '../../core/history';
import { optionValue } from '../args';
import type { Command } from '../command';
import type { CliContext } from '../context';
import { CliError, EXIT, UsageError } from '../errors';

function revisionNumber(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`"${text}" is not a revision number (1, 2, …)`);
  return Number(text);
}

/** A revision lookup that reports a missing one as "not found" (exit 3). */
function getRevision(ctx: CliContext, env: string, n: number): Revision {
  const all = ctx.core.history.list(env);
  const found = all.find((r) => r.number === n);
  if (!found) {
    throw new CliError(`${env} has no revision ${n}`, EXIT.notFound, all.length > 0 ? `revisions: 1…${all[all.length - 1].number}` : 'it has no history yet');
  }
  return found;
}

function pathSummary(r: Revision): string {
  return r.paths
    .map((p) => {
      if (p.error) return `${p.path} ✗ ${p.error}`;
      if (p.newKeyId) return `${p.path} ${describeCredentialChange(p)}${p.deletedKeyId ? ` (deleted ${p.deletedKeyId})` : ''}`;
      return p.path;
    })
    .join('; ');
}

const history: Command = {
  name: 'history',
  summary: 'List the revisions of an environment (rotations, saves, rollbacks), or show one',
  usage: 'history ENV [--revision N] [--json]',
  description: [
    'Every rotation (failed ones and scheduled ones too), explicit save, encryption and rollback is a',
    'revision: number, time, OS user, AWS principal, kind, outcome, rotated paths with key ids.',
    'Revisions never contain secret values; --revision N also prints the definition as it then',
    'stood, with ciphertexts and secrets redacted.',
  ].join('\n'),
  options: [
    { name: 'revision', short: 'r', value: 'N', description: 'show one revision with its (redacted) definition' },
    { name: 'json', description: 'print JSON' },
  ],
  args: { min: 1, max: 1 },
  examples: ['esc-local history app/aws-keys', 'esc-local history app/aws-keys -r 3'],
  async run(ctx, args) {
    const env = ctx.resolveEnvironment(args.positionals[0]).name;
    const json = args.flags.has('json');
    const one = optionValue(args, 'revision');
    if (one !== undefined) {
      const n = revisionNumber(one);
      getRevision(ctx, env, n);
      const r = ctx.core.history.show(env, n);
      if (json) ctx.ui.print(JSON.stringify(r, null, 2));
      else {
        ctx.ui.print(`revision ${r.number} of ${env}: ${r.kind} ${r.outcome} at ${r.time} by ${r.user}${r.principalArn ? ` as ${r.principalArn}` : ''}${r.trigger ? ` (${r.trigger})` : ''}`);
        if (r.message) ctx.ui.print(r.message);
        if (r.paths.length > 0) ctx.ui.print(`paths: ${pathSummary(r)}`);
        if (r.definition !== undefined) ctx.ui.print(`---\n${r.definition}`);
      }
      return EXIT.ok;
    }
    const revisions = ctx.core.history.list(env);
    if (json) {
      ctx.ui.print(JSON.stringify(revisions.map(({ definition: _definition, ...rest }) => rest), null, 2));
      return EXIT.ok;
    }
    if (revisions.length === 0) {
      ctx.ui.info(`${env} has no history yet`);
      return EXIT.ok;
    }
    const { green, red, dim, bold } = ctx.ui.out;
    for (const r of revisions) {
      const outcome = r.outcome === 'succeeded' ? green(r.outcome) : red(r.outcome);
      ctx.ui.print(`${bold(String(r.number).padStart(4))}  ${r.time}  ${r.kind.padEnd(8)} ${outcome}  ${r.user}${r.trigger ? dim(` (${r.trigger})`) : ''}${r.principalArn ? dim(` ${r.principalArn}`) : ''}`);
      const summary = pathSummary(r);
      if (summary) ctx.ui.print(`      ${summary}`);
      else if (r.message) ctx.ui.print(`      ${r.message}`);
    }
    return EXIT.ok;
  },
};

const diff: Command = {
  name: 'diff',
  summary: 'Show what changed between two revisions (or a revision and the file now), redacted',
  usage: 'diff ENV REV [REV]',
  description: 'A unified diff of the definitions. With one revision, compares it with the environment file as it is now. Secrets and ciphertexts are redacted on both sides.',
  options: [],
  args: { min: 2, max: 3 },
  examples: ['esc-local diff app/aws-keys 2 3', 'esc-local diff app/aws-keys 2'],
  async run(ctx, args) {
    const env = ctx.resolveEnvironment(args.positionals[0]);
    const a = getRevision(ctx, env.name, revisionNumber(args.positionals[1]));
    let text: string;
    if (args.positionals[2] !== undefined) {
      getRevision(ctx, env.name, revisionNumber(args.positionals[2]));
      text = ctx.core.history.diff(env.name, a.number, revisionNumber(args.positionals[2]));
    } else {
      const now = fs.readFileSync(env.file, 'utf8');
      text = formatDiff(diffLines(redactDefinition(a.definition ?? ''), redactDefinition(now)), `${env.name} revision ${a.number}`, `${env.name} (working file)`);
    }
    ctx.ui.write(text.endsWith('\n') || text === '' ? text : text + '\n');
    if (text.trim() === '') ctx.ui.info('no differences');
    return EXIT.ok;
  },
};

const rollback: Command = {
  name: 'rollback',
  summary: 'Restore an environment to a revision (as a new revision; rotated secrets are kept)',
  usage: 'rollback ENV REV',
  description: [
    'Writes the definition of revision REV back to the file and records a new revision. As in ESC,',
    'rotated secrets are not rolled back (the keys in older states may be deleted already): each',
    'fn::rotate keeps its current state, and the command says which ones.',
  ].join('\n'),
  options: [],
  args: { min: 2, max: 2 },
  async run(ctx, args) {
    const env = ctx.resolveEnvironment(args.positionals[0]).name;
    const n = revisionNumber(args.positionals[1]);
    getRevision(ctx, env, n);
    try {
      const result = await ctx.core.rollback(env, n, { trigger: 'cli' });
      ctx.ui.print(`${ctx.ui.out.green('✓')} ${result.message} (revision ${result.revision.number})`);
      return EXIT.ok;
    } catch (e) {
      if (e instanceof CoreError && e.code === 'RollbackRefused') throw new CliError(e.message, EXIT.failed);
      throw e;
    }
  },
};

export const historyCommands: Command[] = [history, diff, rollback];
