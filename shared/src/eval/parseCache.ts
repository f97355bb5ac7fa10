/**
 * Parsed environments by (name, text). Parsing is pure, and evaluation only reads the parsed
 * declaration (it builds its own expressions over it), so an unchanged text — an import checked
 * again, an importer re-checked because one of its imports changed — need not be parsed again.
 * Only parses without diagnostics are kept (nothing then carries objects a caller could alter), in
 * a small LRU bounded by entries and by total text length so memory stays flat.
 */
import { parseEnvironment, type ParsedEnvironment } from '../ast/environment';

const MAX_ENTRIES = 64;
/**
 * Characters of text kept in all. A parse retains ~60 bytes of heap per character of text (a
 * 5,000-line environment: ~142,000 characters, ~8 MB), so this bounds the cache near 25 MB.
 */
const MAX_TEXT = 400_000;
/** Larger texts are not kept (one would crowd out everything else). */
const MAX_ENTRY_TEXT = 200_000;

const cache = new Map<string, { parsed: ParsedEnvironment; size: number }>();
let cachedText = 0;

/** `parseEnvironment(name, text)`, reusing the result for a text parsed before. */
export function parseEnvironmentCached(name: string, text: string): ParsedEnvironment {
  if (text.length > MAX_ENTRY_TEXT) return parseEnvironment(name, text);
  const key = `${name}\u0000${text}`;
  const hit = cache.get(key);
  if (hit !== undefined) {
    // Most recently used last.
    cache.delete(key);
    cache.set(key, hit);
    return hit.parsed;
  }
  const parsed = parseEnvironment(name, text);
  if (parsed.diagnostics.length === 0) {
    cache.set(key, { parsed, size: text.length });
    cachedText += text.length;
    for (const [oldest, entry] of cache) {
      if (cache.size <= MAX_ENTRIES && cachedText <= MAX_TEXT) break;
      cache.delete(oldest);
      cachedText -= entry.size;
    }
  }
  return parsed;
}
