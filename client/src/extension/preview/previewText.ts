/**
 * Renders an evaluated environment for the preview, in ESC's output conventions (the same
 * renderer as `esc-local open`): YAML / JSON of the values, or the `environmentVariables`
 * (and `files`) projection as dotenv / shell. Secrets stay `[secret]` unless revealed; values
 * that need a provider call stay `[unknown]` until revealed. Nothing is written to disk:
 * `files` entries are listed by name, never materialised.
 */
import type { Diagnostic } from '../../../../shared/src/syntax/diagnostic';
import type { Value } from '../../../../shared/src/value/value';
import { renderOpen } from '../../output/outputFormats';
import { redactSecrets, toJson } from '../../output/redaction';
import type { PreviewFormat } from '../settings';

export interface PreviewModel {
  environment: string;
  /** The evaluated top-level values, or undefined when nothing could be evaluated. */
  root?: Value;
  diagnostics: Diagnostic[];
  revealed: boolean;
}

function header(model: PreviewModel, format: PreviewFormat): string[] {
  // Short lines: the preview usually sits in a narrow column beside the editor.
  const lines = model.revealed
    ? [`${model.environment}, resolved — SECRETS REVEALED`, 'shown here only, never saved; hidden again when this preview closes']
    : [`${model.environment}, resolved — secrets: [secret]`, 'provider outputs not fetched: [unknown]', '"ESC: Reveal Secrets in Preview" shows both'];
  if (format === 'dotenv' || format === 'shell') lines.push('The environmentVariables (and files) of the environment, as ESC exports them.');
  for (const d of model.diagnostics) {
    lines.push(`${d.severity === 1 ? 'error' : 'warning'}: ${d.summary}${d.detail ? `: ${d.detail}` : ''} (${d.range.environment}:${d.range.begin.line}:${d.range.begin.column})`);
  }
  return lines.map(line => `# ${line}`);
}

export function renderPreview(model: PreviewModel, format: PreviewFormat): string {
  // Redaction happens here, once: the renderers below then see no secret's value at all.
  const root = model.root && (model.revealed ? model.root : redactSecrets(model.root));
  return renderRedacted({ ...model, ...(root ? { root } : {}) }, format);
}

function renderRedacted(model: PreviewModel, format: PreviewFormat): string {
  if (!model.root) {
    const lines = header(model, format === 'json' ? 'yaml' : format);
    lines.push('# Nothing to show: the environment could not be evaluated (see the errors above).');
    return format === 'json' ? `${JSON.stringify({ error: model.diagnostics.map(d => d.summary) }, null, 2)}\n` : `${lines.join('\n')}\n`;
  }
  if (format === 'json') {
    // JSON has no comments, so no header: redaction is visible in the values themselves.
    return `${JSON.stringify(toJson(model.root, true), null, 2)}\n`;
  }
  const body =
    format === 'yaml'
      ? renderOpen(model.root, { format: 'yaml', reveal: true }).text
      : renderOpen(model.root, { format, reveal: model.revealed, files: { write: false } }).text;
  return `${header(model, format).join('\n')}\n${body}`;
}
