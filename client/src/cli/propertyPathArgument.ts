/**
 * The PATH argument of `esc-local open ENV [PATH]`: an ESC property path (`a.b["c.d"][0]`,
 * `aws.login`, `["key with spaces"]`) read into keys, a malformed one a usage error.
 */
import { UsageError } from './exitCodes';

/** Parses an ESC property path: `a.b["c.d"][0]`, `aws.login`, `["key with spaces"]`. */
export function parsePropertyPath(text: string): Array<string | number> {
  const keys: Array<string | number> = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new UsageError(`invalid property path "${text}": ${why}`, 'write paths like aws.login.accessKeyId, list[0] or map["key.with.dots"]');
  };
  if (text === '') fail('it is empty');
  while (i < text.length) {
    if (text[i] === '[') {
      const close = text.indexOf(']', i);
      if (close < 0) fail('a "[" is not closed');
      const inner = text.slice(i + 1, close);
      if (/^\d+$/.test(inner)) keys.push(Number(inner));
      else if (/^"(?:[^"\\]|\\.)*"$/.test(inner)) keys.push(JSON.parse(inner) as string);
      else fail(`"[${inner}]" is neither an index nor a quoted key`);
      i = close + 1;
      if (i < text.length && text[i] === '.') {
        i++;
        if (i >= text.length) fail('it ends with "."');
      }
    } else {
      let j = i;
      while (j < text.length && text[j] !== '.' && text[j] !== '[') j++;
      if (j === i) fail(`empty key at character ${i + 1}`);
      keys.push(text.slice(i, j));
      i = j;
      if (text[i] === '.') {
        i++;
        if (i >= text.length) fail('it ends with "."');
      }
    }
  }
  return keys;
}
