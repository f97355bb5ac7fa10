/** Printing the evaluator's located diagnostics (open/rotate failures) on stderr. */
import * as path from 'node:path';
import type { Diagnostic } from '../../../../shared/src/syntax/diagnostic';
import { isEnvironmentName } from '../../../../shared/src/identity/environmentName';
import type { CliContext } from '../context';

export function printEvalDiagnostics(ctx: CliContext, rootEnvironment: string, diagnostics: readonly Diagnostic[]): void {
  const { red, yellow, bold } = ctx.ui.err;
  for (const d of diagnostics) {
    const env = d.range.environment || rootEnvironment;
    const file = isEnvironmentName(env) ? ctx.workspace.fileFor(env) : undefined;
    const where = file ? `${path.relative(ctx.cwd, file) || file}:${d.range.begin.line}:${d.range.begin.column}` : `${env}:${d.range.begin.line}:${d.range.begin.column}`;
    const sev = d.severity === 1 ? red('error') : yellow('warning');
    ctx.ui.report(`${bold(where)}: ${sev}: ${d.summary}${d.detail ? `: ${d.detail}` : ''}`);
  }
}
