// Converts Handlebars' line/column locations (line 1-based, column 0-based) into offsets within
// the template string, which is what the rest of stackplay works with.

export type LineStarts = readonly number[];

/** Where each line starts. Like Handlebars' lexer, '\r\n', a lone '\r' and '\n' all end a line. */
export function lineStarts(source: string): LineStarts {
  const starts = [0];
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (source.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

export function offsetOf(starts: LineStarts, line: number, column: number, sourceLength: number): number {
  const start = starts[Math.max(0, Math.min(line - 1, starts.length - 1))] ?? 0;
  return Math.max(0, Math.min(start + column, sourceLength));
}

interface Position {
  readonly line: number;
  readonly column: number;
}

function isPosition(value: unknown): value is Position {
  return typeof value === 'object' && value !== null &&
    typeof (value as Position).line === 'number' && typeof (value as Position).column === 'number';
}

/** Offset and length of a Handlebars `loc` ({ start, end }); undefined if it is not one. */
export function spanOf(
  starts: LineStarts, loc: unknown, sourceLength: number,
): { offset: number; length: number } | undefined {
  if (typeof loc !== 'object' || loc === null) return undefined;
  const { start, end } = loc as { start?: unknown; end?: unknown };
  if (!isPosition(start)) return undefined;
  const offset = offsetOf(starts, start.line, start.column, sourceLength);
  const endOffset = isPosition(end) ? offsetOf(starts, end.line, end.column, sourceLength) : offset;
  return { offset, length: Math.max(0, endOffset - offset) };
}
