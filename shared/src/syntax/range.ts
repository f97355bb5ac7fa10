/** A position in a source file: 1-based line and column (in characters), 0-based byte offset. */
export interface Pos {
  line: number;
  column: number;
  byte: number;
}

/** A source range in a named environment. `end` is exclusive, as in ESC. */
export interface Range {
  environment: string;
  begin: Pos;
  end: Pos;
}
