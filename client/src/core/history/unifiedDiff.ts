/**
 * Unified diffs of environment definitions, in the format `git apply` and `patch -p1` accept:
 * `diff --git` and `---`/`+++` file headers naming the file relative to the workspace, then
 * `@@ -a,b +c,d @@` hunks with three lines of context. The line diff itself is the `diff`
 * package's (jsdiff, Myers' algorithm), not hand-written.
 */
import type * as JsDiff from 'diff';

export interface DiffSide {
  text: string;
  /** Shown after the file name in the header (after a tab, which patch tools ignore), e.g. `revision 3`. */
  label: string;
}

/**
 * A patch turning `before` into `after` for the file at `file` (a relative path with `/`
 * separators, e.g. `environments/app/dev.yaml`). Empty string when the texts are equal.
 */
export function unifiedDiff(file: string, before: DiffSide, after: DiffSide, context = 3): string {
  if (before.text === after.text) return '';
  // Loaded on first use: every command reaches the history module, few of them diff.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createTwoFilesPatch, FILE_HEADERS_ONLY } = require('diff') as typeof JsDiff;
  const body = createTwoFilesPatch(`a/${file}`, `b/${file}`, before.text, after.text, before.label, after.label, { context, headerOptions: FILE_HEADERS_ONLY });
  return `diff --git a/${file} b/${file}\n${body}`;
}
