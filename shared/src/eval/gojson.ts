/**
 * `fn::fromJSON` decodes like Go's `json.Decoder.Decode`: the first JSON value of the string is
 * decoded (anything after it is ignored), and errors carry Go's wording ("invalid character 'x'
 * looking for beginning of value", "unexpected EOF", …) because they appear in diagnostics.
 */
import type { Json } from '../schema/schema';

export class JsonDecodeError extends Error {}

/** Go's quoteChar. */
function quoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return "'\"'";
  const code = c.codePointAt(0) ?? 0;
  if (code < 0x20 || code === 0x7f) return `'\\x${code.toString(16).padStart(2, '0')}'`;
  return `'${c}'`;
}

class Scanner {
  i = 0;
  constructor(private readonly s: string) {}

  private fail(context: string): never {
    if (this.i >= this.s.length) throw new JsonDecodeError('unexpected EOF');
    throw new JsonDecodeError(`invalid character ${quoteChar(String.fromCodePoint(this.s.codePointAt(this.i) ?? 0))} ${context}`);
  }

  private skipSpace(): void {
    while (this.i < this.s.length && ' \t\r\n'.includes(this.s[this.i])) this.i++;
  }

  value(): void {
    this.skipSpace();
    const c = this.s[this.i];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const lit of ['true', 'false', 'null']) {
      if (c === lit[0]) {
        this.i++;
        for (let k = 1; k < lit.length; k++, this.i++) {
          if (this.s[this.i] !== lit[k]) this.fail(`in literal ${lit} (expecting '${lit[k]}')`);
        }
        return;
      }
    }
    this.fail('looking for beginning of value');
  }

  private object(): void {
    this.i++;
    this.skipSpace();
    if (this.s[this.i] === '}') {
      this.i++;
      return;
    }
    for (;;) {
      this.skipSpace();
      if (this.s[this.i] !== '"') this.fail('looking for beginning of object key string');
      this.string();
      this.skipSpace();
      if (this.s[this.i] !== ':') this.fail('after object key');
      this.i++;
      this.value();
      this.skipSpace();
      if (this.s[this.i] === ',') { this.i++; continue; }
      if (this.s[this.i] === '}') { this.i++; return; }
      this.fail('after object key:value pair');
    }
  }

  private array(): void {
    this.i++;
    this.skipSpace();
    if (this.s[this.i] === ']') {
      this.i++;
      return;
    }
    for (;;) {
      this.value();
      this.skipSpace();
      if (this.s[this.i] === ',') { this.i++; continue; }
      if (this.s[this.i] === ']') { this.i++; return; }
      this.fail('after array element');
    }
  }

  private string(): void {
    this.i++;
    for (;;) {
      if (this.i >= this.s.length) this.fail('in string literal');
      const c = this.s[this.i];
      if (c === '"') { this.i++; return; }
      if (c < ' ') this.fail('in string literal');
      if (c === '\\') {
        this.i++;
        const e = this.s[this.i];
        if (e === 'u') {
          for (let k = 0; k < 4; k++) {
            this.i++;
            if (!/[0-9a-fA-F]/.test(this.s[this.i] ?? '')) this.fail('in \\u hexadecimal character escape');
          }
        } else if (e === undefined || !'"\\/bfnrt'.includes(e)) {
          this.fail('in string escape code');
        }
      }
      this.i++;
    }
  }

  private digits(): number {
    const from = this.i;
    while (this.s[this.i] >= '0' && this.s[this.i] <= '9') this.i++;
    return this.i - from;
  }

  private number(): void {
    if (this.s[this.i] === '-') {
      this.i++;
      if (!(this.s[this.i] >= '0' && this.s[this.i] <= '9')) this.fail('in numeric literal');
    }
    if (this.s[this.i] === '0') this.i++;
    else this.digits();
    if (this.s[this.i] === '.') {
      this.i++;
      if (this.digits() === 0) this.fail('after decimal point in numeric literal');
    }
    if (this.s[this.i] === 'e' || this.s[this.i] === 'E') {
      this.i++;
      if (this.s[this.i] === '+' || this.s[this.i] === '-') this.i++;
      if (this.digits() === 0) this.fail('in exponent of numeric literal');
    }
  }
}

/** Decodes the first JSON value of `text` as Go's json.Decoder does. Throws {@link JsonDecodeError}. */
export function decodeFirstJsonValue(text: string): Json {
  const scanner = new Scanner(text);
  const start = text.length - text.trimStart().length;
  if (start >= text.length) throw new JsonDecodeError('EOF');
  scanner.value();
  return JSON.parse(text.slice(0, scanner.i)) as Json;
}
