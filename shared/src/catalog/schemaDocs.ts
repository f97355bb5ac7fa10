/**
 * Markdown rendering of catalog schemas: property tables, nested record types as their own
 * sections, so that hover docs always agree with the schemas the validator uses.
 */
import type { ObjectSchema, Schema } from '../schema/schema';

/** A short type name for a table cell. */
export function typeName(schema: Schema): string {
  if (schema === true) return 'any';
  if (schema === false) return 'never';
  if (schema.title !== undefined) return schema.title;
  if (schema.anyOf !== undefined) return schema.anyOf.map(typeName).join(' | ');
  if (schema.oneOf !== undefined) return schema.oneOf.map(typeName).join(' | ');
  if (schema.enum !== undefined) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  switch (schema.type) {
    case 'array':
      return `${schema.items === undefined ? 'any' : typeName(schema.items)}[]`;
    case 'object':
      if (schema.properties === undefined && schema.additionalProperties !== undefined && schema.additionalProperties !== false) {
        return `map[string]${typeName(schema.additionalProperties)}`;
      }
      return 'object';
    case undefined:
      return 'any';
    default:
      return schema.secret ? `${schema.type} (secret)` : schema.type;
  }
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Named record types reachable from a schema, in first-seen order (for their own tables). */
function namedRecords(schema: Schema, out: Map<string, ObjectSchema>): void {
  if (typeof schema === 'boolean') return;
  if (schema.title !== undefined && schema.properties !== undefined && !out.has(schema.title)) out.set(schema.title, schema);
  for (const child of Object.values(schema.properties ?? {})) namedRecords(child, out);
  if (schema.items !== undefined) namedRecords(schema.items, out);
  if (schema.additionalProperties !== undefined) namedRecords(schema.additionalProperties, out);
  for (const child of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) namedRecords(child, out);
}

/** The property table of one record, or undefined if it has no named properties. */
export function propertyTable(schema: ObjectSchema, rotateOnly: readonly string[] = []): string | undefined {
  const props = schema.properties;
  if (props === undefined || Object.keys(props).length === 0) return undefined;
  const required = new Set(schema.required ?? []);
  const rows = Object.entries(props).map(([name, child]) => {
    const notes: string[] = [];
    if (!required.has(name)) notes.push('optional');
    if (rotateOnly.includes(name)) notes.push('rotate-only');
    const description = typeof child === 'boolean' ? '' : (child.description ?? '');
    const dflt = typeof child === 'boolean' || child.default === undefined ? '' : ` Default: \`${JSON.stringify(child.default)}\`.`;
    const prefix = notes.length > 0 ? `[${notes.join(', ')}] ` : '';
    return `| \`${name}\` | ${cell(typeName(child))} | ${cell(prefix + description + dflt)} |`;
  });
  return ['| Property | Type | Description |', '|---|---|---|', ...rows].join('\n');
}

/** A titled section with the record's table followed by the tables of its nested record types. */
export function schemaSection(heading: string, schema: Schema, rotateOnly: readonly string[] = []): string {
  if (typeof schema === 'boolean' || schema.properties === undefined) {
    const description = typeof schema === 'boolean' ? '' : (schema.description ?? '');
    return `### ${heading}\n\n${typeName(schema)}${description ? ` — ${description}` : ''}`;
  }
  const parts = [`### ${heading}`, propertyTable(schema, rotateOnly) ?? ''];
  const nested = new Map<string, ObjectSchema>();
  for (const child of Object.values(schema.properties)) namedRecords(child, nested);
  for (const [title, record] of nested) {
    const table = propertyTable(record);
    if (table !== undefined) parts.push(`#### ${title}`, table);
  }
  return parts.join('\n\n');
}
