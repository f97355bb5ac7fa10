/** `esc-local history`, `diff`, `rollback`, `tag`: the revision history kept in `.esc/history/` (no secrets). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { unifiedDiff } from '../../core/history/unifiedDiff';
import { CoreError } from '../../core/errors';
import { describeCredentialChange, redactDefinition, validateTagName, type Revision, type RevisionTag } from '../../core/history/historyStore';
import { optionValue } from '../args';
import type { Command } from '../command';
import type { CliContext } from '../context';
import { CliError, EXIT, UsageError } from '../exitCodes';
import { reportHandEdits } from './notify';

/**
 * A revision reference: a number, `latest` or a tag. A malformed one is a usage error (exit 2);
 * one that names nothing is "not found" (exit 3).
 */
function revisionNumber(ctx: CliContext, env: string, ref: string): number {
  if (!/^\d+$/.test(ref) && ref !== 'latest' && validateTagName(ref) !== undefined) throw new UsageError(`"${ref}" is not a revision number (1, 2, …), "latest" or a tag name`);
  const n = ctx.core.history.resolve(env, ref);
  if (n !== undefined) return n;
  const last = ctx.core.history.latest(env)?.number;
  const tags = ctx.core.history.tags(env).map((t) => t.name);
  const known = last === undefined ? 'it has no history yet' : `revisions: 1…${last}${tags.length > 0 ? `; tags: ${tags.join(', ')}` : ''}`;
  throw new CliError(`${env} has no revision ${/^\d+$/.test(ref) ? ref : `or tag "${ref}"`}`, EXIT.notFound, known);
}

/** The revision with its definition (the listing drops definitions). */
function getRevision(ctx: CliContext, env: string, ref: string): Revision {
  return ctx.core.history.get(env, revisionNumber(ctx, env, ref));
}

/** The environment file's path relative to the workspace, with `/`, for diff headers. */
function relativeFile(ctx: CliContext, file: string): string {
  return path.relative(ctx.root, file).split(path.sep).join('/');
}

function tagsByRevision(tags: RevisionTag[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const t of tags) out.set(t.revision, [...(out.get(t.revision) ?? []), t.name]);
  return out;
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
  usage: 'history ENV [--revision REV] [--json]',
  description: [
    'Every rotation (failed ones and scheduled ones too), save that changed the definition (from',
    'VS Code, or edits found before a CLI command writes), encryption and rollback is a revision:',
    'number, time, OS user, AWS principal, kind, outcome, rotated paths with key ids, tags.',
    'Revisions never contain secret values; --revision REV (a number, `latest` or a tag) also',
    'prints the definition as it then stood, with ciphertexts and secrets redacted.',
  ].join('\n'),
  options: [
    { name: 'revision', short: 'r', value: 'REV', description: 'show one revision (number, latest or tag) with its (redacted) definition' },
    { name: 'json', description: 'print JSON' },
  ],
  args: { min: 1, max: 1 },
  examples: ['esc-local history app/aws-keys', 'esc-local history app/aws-keys -r 3'],
  async run(ctx, args) {
    const env = ctx.resolveEnvironment(args.positionals[0]).name;
    const json = args.flags.has('json');
    const one = optionValue(args, 'revision');
    if (one !== undefined) {
      const r = ctx.core.history.show(env, revisionNumber(ctx, env, one));
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
    const tags = tagsByRevision(ctx.core.history.tags(env));
    if (json) {
      ctx.ui.print(JSON.stringify(revisions.map(({ definition: _definition, ...rest }) => ({ ...rest, tags: tags.get(rest.number) ?? [] })), null, 2));
      return EXIT.ok;
    }
    if (revisions.length === 0) {
      ctx.ui.info(`${env} has no history yet`);
      return EXIT.ok;
    }
    const { green, red, dim, bold } = ctx.ui.out;
    for (const r of revisions) {
      const outcome = r.outcome === 'succeeded' ? green(r.outcome) : red(r.outcome);
      const tagText = tags.has(r.number) ? `  ${bold(`[${tags.get(r.number)!.join(', ')}]`)}` : '';
      ctx.ui.print(`${bold(String(r.number).padStart(4))}  ${r.time}  ${r.kind.padEnd(8)} ${outcome}  ${r.user}${r.trigger ? dim(` (${r.trigger})`) : ''}${r.principalArn ? dim(` ${r.principalArn}`) : ''}${tagText}`);
      const summary = pathSummary(r);
      if (summary) ctx.ui.print(`      ${summary}`);
      else if (r.message) ctx.ui.print(`      ${r.message}`);
    }
    return EXIT.ok;
  },
};

const diff: Command = {
  name: 'diff',
  summary: 'Show what changed between two revisions (or a revision and the file now), as a patch',
  usage: 'diff ENV REV [REV]',
  description: [
    'A unified diff of the definitions (`diff --git`, `---`/`+++` headers with the file\'s path in the',
    'workspace, `@@ -a,b +c,d @@` hunks) that `git apply` and `patch -p1` accept. REV is a number,',
    '`latest` or a tag. With one revision, compares it with the environment file as it is now.',
    'Secrets and ciphertexts are redacted on both sides. Prints nothing when there is no difference.',
  ].join('\n'),
  options: [],
  args: { min: 2, max: 3 },
  examples: ['esc-local diff app/aws-keys 2 3', 'esc-local diff app/aws-keys before-migration', 'esc-local diff app/aws-keys 2 > change.patch && git apply --check change.patch'],
  async run(ctx, args) {
    const env = ctx.resolveEnvironment(args.positionals[0]);
    const file = relativeFile(ctx, env.file);
    const a = getRevision(ctx, env.name, args.positionals[1]);
    let text: string;
    if (args.positionals[2] !== undefined) {
      text = ctx.core.history.diff(env.name, file, a.number, revisionNumber(ctx, env.name, args.positionals[2]));
    } else {
      const now = fs.readFileSync(env.file, 'utf8');
      text = unifiedDiff(file, { text: redactDefinition(a.definition ?? ''), label: `revision ${a.number}` }, { text: redactDefinition(now), label: 'working file' });
    }
    ctx.ui.write(text);
    if (text === '') ctx.ui.info('no differences');
    return EXIT.ok;
  },
};

const rollback: Command = {
  name: 'rollback',
  summary: 'Restore an environment to a revision (as a new revision; rotated secrets are kept)',
  usage: 'rollback ENV REV',
  examples: ['esc-local rollback app/aws-keys 3', 'esc-local rollback app/aws-keys before-migration'],
  description: [
    'Writes the definition of revision REV back to the file and records a new revision. As in ESC,',
    'rotated secrets are not rolled back (the keys in older states may be deleted already): each',
    'fn::rotate keeps its current state, and the command says which ones. Edits made to the file',
    'since its last revision are recorded first as a `save` revision; if they cannot be, the',
    'rollback is refused (exit 1), since it would overwrite them (ESC_LOCAL_RECORD_SAVES=0 skips that).',
  ].join('\n'),
  options: [],
  args: { min: 2, max: 2 },
  async run(ctx, args) {
    const env = ctx.resolveEnvironment(args.positionals[0]).name;
    const n = revisionNumber(ctx, env, args.positionals[1]);
    try {
      const result = await ctx.core.rollback(env, n, { trigger: 'cli' });
      await reportHandEdits(ctx, env, result);
      ctx.ui.print(`${ctx.ui.out.green('✓')} ${result.message} (revision ${result.revision.number})`);
      return EXIT.ok;
    } catch (e) {
      if (e instanceof CoreError && e.code === 'RollbackRefused') throw new CliError(e.message, EXIT.failed);
      throw e;
    }
  },
};

const tag: Command = {
  name: 'tag',
  summary: 'Name a revision of an environment; list or remove tags',
  usage: 'tag ENV [NAME [REV]] [--delete] [--json]',
  description: [
    'Tags name revisions, as in ESC. `tag ENV NAME [REV]` creates NAME (or moves it) on revision',
    'REV (default: the newest); `tag ENV` lists the tags; `tag ENV NAME --delete` removes one (the',
    'revision stays; exit 3 if there is no such tag). Names: letters, digits, ".", "-", "_", not all',
    'digits, not "latest". Every command that takes a revision (history -r, diff, rollback) accepts',
    'a tag. Tags are kept in .esc/history/<env>/tags.json, beside the revisions.',
  ].join('\n'),
  options: [
    { name: 'delete', short: 'd', description: 'remove the tag NAME' },
    { name: 'json', description: 'print the tags as JSON' },
  ],
  args: { min: 1, max: 3 },
  examples: ['esc-local tag prod/app before-migration', 'esc-local tag prod/app v1.2 14', 'esc-local tag prod/app', 'esc-local tag prod/app v1.2 --delete'],
  async run(ctx, args) {
    const env = ctx.resolveEnvironment(args.positionals[0]).name;
    const [, name, ref] = args.positionals;
    if (name === undefined) {
      if (args.flags.has('delete')) throw new UsageError('--delete needs the tag NAME');
      const tags = ctx.core.history.tags(env);
      if (args.flags.has('json')) ctx.ui.print(JSON.stringify(tags, null, 2));
      else if (tags.length === 0) ctx.ui.info(`${env} has no tags (add one with \`esc-local tag ${env} NAME\`)`);
      else for (const t of tags) ctx.ui.print(`${ctx.ui.out.bold(t.name)}  revision ${t.revision}  ${ctx.ui.out.dim(`${t.time} ${t.user}`)}`);
      return EXIT.ok;
    }
    if (args.flags.has('delete')) {
      if (ref !== undefined) throw new UsageError('--delete takes only the tag NAME');
      if (!(await ctx.core.history.untag(env, name))) throw new CliError(`${env} has no tag "${name}"`, EXIT.notFound, `see \`esc-local tag ${env}\``);
      ctx.ui.info(`${ctx.ui.err.green('✓')} ${env}: removed tag ${name}`);
      return EXIT.ok;
    }
    const invalid = validateTagName(name);
    if (invalid !== undefined) throw new UsageError(invalid);
    const created = await ctx.core.history.tag(env, name, revisionNumber(ctx, env, ref ?? 'latest'));
    ctx.ui.info(`${ctx.ui.err.green('✓')} ${env}: tag ${created.name} → revision ${created.revision}`);
    return EXIT.ok;
  },
};

export const historyCommands: Command[] = [history, diff, rollback, tag];
