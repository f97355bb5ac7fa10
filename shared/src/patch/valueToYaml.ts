/**
 * Turning a replacement {@link Value} into YAML text for the patcher: secret leaves become
 * `fn::secret: {ciphertext: <base64 envelope>}` through an {@link Encrypter} (plaintext of a
 * secret is never written), everything else is plain YAML rendered by the `yaml` package so
 * that tricky strings ("true", "", "a: b", "#x", leading spaces, newlines…) are quoted right.
 */
import * as YAML from 'yaml';
import type { Encrypter } from '../contract/plugins';
import type { Value } from '../value/value';
import { encodeCiphertext } from '../syntax/envelope';
import { formatPath, type PathSegment } from '../syntax/propertyPath';

export class PatchError extends Error {
  constructor(
    message: string,
    /** 1-based position in the document the problem refers to, when there is one. */
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
    this.name = 'PatchError';
  }
}

/** The YAML data to write: scalars, arrays, and Maps (Maps keep any key, even `__proto__`). */
export type YamlData = null | boolean | number | string | YamlData[] | Map<string, YamlData>;

/** `{fn::secret: {ciphertext: text}}` */
export function secretCall(ciphertext: string): Map<string, YamlData> {
  return new Map<string, YamlData>([['fn::secret', new Map<string, YamlData>([['ciphertext', ciphertext]])]]);
}

async function encryptString(encrypter: Encrypter, plaintext: string): Promise<string> {
  return encodeCiphertext(await encrypter.encrypt(new TextEncoder().encode(plaintext)));
}

/**
 * Converts a value to YAML data. A secret container makes everything inside it secret; a secret
 * leaf is encrypted (a non-string secret is encrypted as its JSON text, since `fn::secret` only
 * takes strings). Unknown values cannot be written.
 */
export async function valueToYamlData(value: Value, encrypter: Encrypter | undefined, path: PathSegment[] = [], inSecret = false): Promise<YamlData> {
  const secret = inSecret || value.secret === true;
  const where = path.length === 0 ? 'the replacement' : `the replacement's ${formatPath(path)}`;
  if (value.unknown) throw new PatchError(`cannot write ${where}: its value is unknown`);
  const d = value.value;
  if (Array.isArray(d)) {
    const out: YamlData[] = [];
    for (let i = 0; i < d.length; i++) out.push(await valueToYamlData(d[i] as Value, encrypter, [...path, i], secret));
    return out;
  }
  if (d !== null && typeof d === 'object') {
    const out = new Map<string, YamlData>();
    for (const k of Object.keys(d)) out.set(k, await valueToYamlData(d[k] as Value, encrypter, [...path, k], secret));
    return out;
  }
  if (!secret) return d;
  if (encrypter === undefined) throw new PatchError(`cannot write ${where}: it is secret and no encrypter was given (plaintext secrets are never written)`);
  return secretCall(await encryptString(encrypter, typeof d === 'string' ? d : JSON.stringify(d)));
}

/** Strings with line breaks are written double-quoted with escapes, never folded over lines. */
function quoteMultiline(doc: YAML.Document): void {
  YAML.visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'string' && /[\n\r\u0085\u2028\u2029]/.test(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
}

const TO_STRING: YAML.ToStringOptions = {
  lineWidth: 0,
  minContentWidth: 0,
  blockQuote: false,
  flowCollectionPadding: false,
};

/** Renders data as YAML lines (block style, `indent` spaces per level), without a final newline. */
export function renderBlock(data: YamlData, indent: number): string[] {
  const doc = new YAML.Document(data, { aliasDuplicateObjects: false });
  quoteMultiline(doc);
  return doc.toString({ ...TO_STRING, indent }).replace(/\n$/, '').split('\n');
}

/**
 * Renders data on one line (flow style). Scalars are quoted for flow context (`a,b` → `"a,b"`),
 * which is also valid anywhere else: they are rendered as the only element of a flow sequence.
 */
export function renderFlow(data: YamlData): string {
  if (!Array.isArray(data) && !(data instanceof Map)) {
    const inList = renderFlow([data]);
    return inList.slice(1, -1);
  }
  const doc = new YAML.Document(data, { aliasDuplicateObjects: false });
  quoteMultiline(doc);
  YAML.visit(doc, {
    Map(_, node) {
      node.flow = true;
    },
    Seq(_, node) {
      node.flow = true;
    },
  });
  return doc.toString({ ...TO_STRING, indent: 2 }).replace(/\n$/, '');
}

/** Renders data as JSON (for documents written in JSON style: flow mappings with double-quoted keys). */
export function renderJson(data: YamlData): string {
  if (data instanceof Map) return `{${[...data].map(([k, v]) => `${JSON.stringify(k)}: ${renderJson(v)}`).join(', ')}}`;
  if (Array.isArray(data)) return `[${data.map(renderJson).join(', ')}]`;
  return JSON.stringify(data);
}

/** True for data that YAML writes on the key's line (scalars and empty collections). */
export function isInline(data: YamlData): boolean {
  if (Array.isArray(data)) return data.length === 0;
  if (data instanceof Map) return data.size === 0;
  return true;
}
