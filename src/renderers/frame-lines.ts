// The lines of a source file as code frames show them: split at LF, CRLF or a lone CR (as positions
// count them), control characters shown as '?', and every value that sits under a secret-looking key
// or a secret source masked as *** — whether or not it was registered: the frame of a file that failed
// to load is printed before its secrets could be.

import { isSecretName } from '../secrets/names.js';

const MASK = '***';
/** A key as YAML writes it (plain or quoted) followed by ':' and a space or the line's end. */
const KEY = /(?:^|[{,\s-])(["']?)([A-Za-z_][\w.-]*)\1\s*:(?=\s|$)/g;

export function frameLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  const out: string[] = [];
  /** Indentation of a key whose value is a block scalar (|, >) or nested lines under a secret key. */
  let secretIndent = -1;
  for (const raw of lines) {
    const line = raw.replace(/\t/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
    const indent = line.length - line.trimStart().length;
    if (secretIndent >= 0) {
      if (line.trim() === '' || indent > secretIndent) {
        out.push(line.trim() === '' ? line : `${line.slice(0, indent)}${MASK}`);
        continue;
      }
      secretIndent = -1;
    }
    out.push(maskLine(line, indent, (i) => (secretIndent = i)));
  }
  return out;
}

/** The line with everything after the first secret key's ':' masked; nested lines follow if it opens a block. */
function maskLine(line: string, indent: number, opensBlock: (indent: number) => void): string {
  KEY.lastIndex = 0;
  for (let m = KEY.exec(line); m !== null; m = KEY.exec(line)) {
    const key = m[2]!;
    if (!isSecretName(key) && key !== 'secret') continue;
    const colon = m.index + m[0].length;
    const rest = line.slice(colon).trim();
    // a value on the following lines (block scalar, nested mapping) is masked line by line
    if (rest === '' || /^[|>][-+0-9]*(\s+#.*)?$/.test(rest)) opensBlock(indent);
    return rest === '' ? line : `${line.slice(0, colon)} ${MASK}`;
  }
  return line;
}
