/**
 * Helpers for the catalog's LSP snippets: the plain text a snippet inserts when every
 * placeholder keeps its default (used by tests, previews and editors without snippet support),
 * and re-indentation for insertion below column 0.
 */

/** Expands `${1:default}`, `${1}`, `$1`, `${1|a,b|}` to their defaults and unescapes `\$`, `\}`, `\\`. */
export function snippetToText(snippet: string): string {
  let out = '';
  let i = 0;
  const parse = (stopAtBrace: boolean): string => {
    let text = '';
    while (i < snippet.length) {
      const ch = snippet[i];
      if (ch === '\\' && i + 1 < snippet.length && '$}\\,|'.includes(snippet[i + 1])) {
        text += snippet[i + 1];
        i += 2;
      } else if (stopAtBrace && ch === '}') {
        return text;
      } else if (ch === '$' && snippet[i + 1] === '{' && /[0-9]/.test(snippet[i + 2] ?? '')) {
        i += 2;
        while (/[0-9]/.test(snippet[i] ?? '')) i++;
        if (snippet[i] === ':') {
          i++;
          text += parse(true);
        } else if (snippet[i] === '|') {
          const end = snippet.indexOf('|', i + 1);
          text += snippet.slice(i + 1, end).split(',')[0];
          i = end + 1;
        }
        i++; // the closing brace
      } else if (ch === '$' && /[0-9]/.test(snippet[i + 1] ?? '')) {
        i++;
        while (/[0-9]/.test(snippet[i] ?? '')) i++;
      } else {
        text += ch;
        i++;
      }
    }
    return text;
  };
  out = parse(false);
  return out;
}

/** Indents every line but the first by `indent`, for inserting a block at a nested position. */
export function indentSnippet(snippet: string, indent: string): string {
  return snippet.split('\n').map((line, n) => (n === 0 || line === '' ? line : indent + line)).join('\n');
}
