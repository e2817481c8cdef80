// Turning streamed output into lines: chunks arrive cut anywhere, the task list and the registered
// `lines` want whole lines. Used by command execution and by `follow`'s log reader.

/** Splits streamed chunks into lines and reports each complete line (a trailing CR is dropped). */
export function lineSplitter(emit: (line: string) => void): { push(chunk: string): void; flush(): void } {
  let buf = '';
  return {
    push(chunk) {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        emit(buf.slice(0, i).replace(/\r$/, ''));
        buf = buf.slice(i + 1);
      }
    },
    flush() {
      if (buf.length > 0) emit(buf.replace(/\r$/, ''));
      buf = '';
    },
  };
}

/**
 * Splits text read from a file at a byte offset into complete lines and the bytes they cover; the
 * unfinished last line is left for the next read, so a line is never reported twice or cut in two.
 */
export function completeLines(text: string, final: boolean): { lines: string[]; bytes: number } {
  const end = final ? text.length : text.lastIndexOf('\n') + 1;
  if (end <= 0) return { lines: [], bytes: 0 };
  const body = text.slice(0, end);
  const lines = body.split('\n');
  if (body.endsWith('\n')) lines.pop();
  return { lines: lines.map((l) => l.replace(/\r$/, '')), bytes: Buffer.byteLength(body, 'utf8') };
}
