/**
 * The documented limits of environment documents (size and nesting), checked on the raw text
 * before any parser runs. Size: parsing, checking and the editor's model take time and memory
 * linear in the text, but a multi-megabyte environment is a mistake, not a configuration, and
 * must not stall the editor. Nesting: The YAML parsers (ours and the `yaml` package's composer), the expression parser,
 * the evaluator and the language features all walk the tree recursively; a document nested
 * deeper than the JavaScript stack allows would end in "Maximum call stack size exceeded" with
 * no location. Rather than rewrite every walk as a loop, documents deeper than MAX_NESTING get
 * one located error; real environments are a few levels deep.
 *
 * Hand-written (no YAML library measures depth without building the tree, which is the very
 * recursion to avoid): one linear pass that over-approximates depth as open block indentation
 * levels + `- ` entries on a line + open flow brackets, skipping comments, quoted scalars and
 * block scalars (`|`, `>`), so text inside strings never counts.
 */

/** The deepest nesting (block levels + flow brackets) an environment document may have. */
export const MAX_NESTING = 500;

/** The one message for a document over the limit (the evaluator and the language service both report it). */
export const NESTING_MESSAGE = `nesting deeper than ${MAX_NESTING} levels (the limit for environment documents)`;

/** The largest environment document, in characters (4 Mi: a 150,000-item list is under 2). */
export const MAX_DOCUMENT_CHARS = 4 * 1024 * 1024;

export interface LimitExcess {
  /** UTF-16 offset where the document goes past the limit. */
  offset: number;
  message: string;
}

/** The first limit `text` goes past, or undefined. */
export function findLimitExcess(text: string): LimitExcess | undefined {
  if (text.length > MAX_DOCUMENT_CHARS) {
    return { offset: 0, message: `document larger than ${MAX_DOCUMENT_CHARS / (1024 * 1024)} Mi characters (the limit for environment documents): not checked` };
  }
  const deep = findExcessNesting(text);
  return deep === undefined ? undefined : { offset: deep, message: NESTING_MESSAGE };
}

/** The offset where `text` first nests deeper than `limit`, or undefined when it never does. */
export function findExcessNesting(text: string, limit = MAX_NESTING): number | undefined {
  if (nestingBound(text, limit) <= limit) return undefined;
  const indents: number[] = [];
  let flow = 0;
  let quote: '"' | "'" | undefined;
  /** Indentation of the line that opened a block scalar; its content lines are more indented. */
  let blockScalarOf: number | undefined;
  let i = 0;
  const n = text.length;
  while (i < n) {
    // At a line start.
    let indent = 0;
    while (i + indent < n && text[i + indent] === ' ') indent++;
    const newline = text.indexOf('\n', i);
    const lineEnd = newline === -1 ? n : newline;
    const blank = /^[ \t\r]*(#.*)?$/.test(text.slice(i + indent, lineEnd));
    if (blockScalarOf !== undefined) {
      if (blank || indent > blockScalarOf) {
        i = lineEnd + 1;
        continue;
      }
      blockScalarOf = undefined;
    }
    let j = i + indent;
    let lineDepthExtra = 0;
    if (quote === undefined && flow === 0 && !blank) {
      while (indents.length > 0 && indents[indents.length - 1] >= indent) indents.pop();
      indents.push(indent);
      // Compact nesting on one line: `- - x`, `- key: value`.
      while (j < lineEnd && text[j] === '-' && (text[j + 1] === ' ' || text[j + 1] === '\t')) {
        lineDepthExtra++;
        j += 2;
        while (j < lineEnd && (text[j] === ' ' || text[j] === '\t')) j++;
      }
      if (indents.length + lineDepthExtra > limit) return j;
    }
    // Scan the rest of the line for quotes, flow brackets, comments and block scalar headers.
    let atNodeStart = true;
    for (; j < lineEnd; j++) {
      const c = text[j];
      if (quote !== undefined) {
        if (quote === '"' && c === '\\') j++;
        else if (c === quote) {
          if (quote === "'" && text[j + 1] === "'") j++;
          else quote = undefined;
        }
        continue;
      }
      if (c === '#' && (j === 0 || text[j - 1] === ' ' || text[j - 1] === '\t')) break;
      if (c === ' ' || c === '\t') continue;
      const inFlow = flow > 0;
      if ((c === '"' || c === "'") && (atNodeStart || inFlow)) {
        quote = c;
        continue;
      }
      if ((c === '[' || c === '{') && (atNodeStart || inFlow)) {
        flow++;
        if (indents.length + lineDepthExtra + flow > limit) return j;
        atNodeStart = true;
        continue;
      }
      if ((c === ']' || c === '}') && inFlow) {
        flow--;
        continue;
      }
      if (!inFlow && (c === '|' || c === '>') && atNodeStart && /^[|>][-+0-9]*[ \t]*(#.*)?\r?$/.test(text.slice(j, lineEnd))) {
        blockScalarOf = indent;
        break;
      }
      // After `:` / `,` / `?` (followed by a space or line end) a new node starts.
      atNodeStart = (c === ':' || c === ',' || c === '?' || c === '-') && (j + 1 >= lineEnd || text[j + 1] === ' ' || text[j + 1] === '\t' || (inFlow && c === ','));
      if (inFlow && (c === ',' || c === ':')) atNodeStart = true;
    }
    i = lineEnd + 1;
  }
  return undefined;
}

/**
 * An upper bound of the depth the scan above can measure, counted up to just past `limit`: one
 * level per line (block indentation), per `-` (compact nesting) and per `[` or `{` (flow). Most
 * texts checked here (the segments of a document, each parsed on its own) are far under the
 * limit by this count alone, which costs a fraction of the scan.
 */
function nestingBound(text: string, limit: number): number {
  let bound = 1;
  for (let i = 0; i < text.length && bound <= limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 45 /* - */ || c === 91 /* [ */ || c === 123 /* { */) bound++;
  }
  return bound;
}
