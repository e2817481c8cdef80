// Reading an input file (playbook, inventory, `-e @file`, a secret file) before anything parses it:
// only a regular file of bounded size is opened — a FIFO would block forever, /dev/zero never ends —
// and its bytes must be UTF-8 text; anything else is refused with what it is and where, never echoed.

import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import type { Problem } from '../diagnostics/problems.js';

/** Playbooks, inventories and -e files: far beyond any real one, small enough to parse at once. */
const INPUT_LIMIT = 16 * 1024 * 1024;
/** A secret file (`{ file: path }`) holds a password or a key, not a document. */
export const SECRET_FILE_LIMIT = 1024 * 1024;

type SourceRead = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly problem: Problem };

function kindOf(st: import('node:fs').Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

function refused(file: string, code: string, message: string, line = 1, col = 1, offset = 0): SourceRead {
  return { ok: false, problem: { code, message, pos: { file, line, col, offset, length: 1 } } };
}

/**
 * Reads `path` as text. `what` names the input in messages ("playbook", "inventory"); `shown` is the
 * name positions carry (the path as the user wrote it, or a bundled playbook's short name).
 */
export function readSource(path: string, what: string, shown: string = path, limit = INPUT_LIMIT): SourceRead {
  let fd: number;
  try {
    // stat first: opening a FIFO for reading blocks until a writer comes, which may be never
    const st = statSync(path);
    if (!st.isFile()) return refused(shown, 'not-a-file', `the ${what} ${shown} is ${kindOf(st)}, not a regular file`);
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable (permission denied)' : `cannot be read (${code ?? (err as Error).message})`;
    return refused(shown, 'unreadable', `the ${what} ${shown} ${why}`);
  }
  try {
    // the file may have been swapped since the stat: what was opened is what counts
    const st = fstatSync(fd);
    if (!st.isFile()) return refused(shown, 'not-a-file', `the ${what} ${shown} is ${kindOf(st)}, not a regular file`);
    if (st.size > limit) return refused(shown, 'too-large', `the ${what} ${shown} is ${st.size} bytes; at most ${limit} are read`);
    const buf = Buffer.alloc(Math.min(st.size, limit) + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      // it grew while being read (a log file given by mistake): refused like a large one
      if (n > limit) return refused(shown, 'too-large', `the ${what} ${shown} is larger than ${limit} bytes`);
      if (n === buf.length) break;
    }
    return decodeSource(buf.subarray(0, n), shown, what);
  } catch (err) {
    return refused(shown, 'unreadable', `the ${what} ${shown} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  } finally {
    closeSync(fd);
  }
}

/** Line and column (1-based, in characters) of the character that starts at byte `at`. */
function lineCol(bytes: Buffer, at: number): { line: number; col: number; offset: number } {
  const before = bytes.subarray(0, at).toString('utf8');
  let line = 1;
  let start = 0;
  for (let i = 0; i < before.length; i++) {
    const c = before.charCodeAt(i);
    if (c === 10 || (c === 13 && before.charCodeAt(i + 1) !== 10)) {
      line++;
      start = i + 1;
    }
  }
  return { line, col: before.length - start + 1, offset: before.length };
}

/** The text of a file's bytes: UTF-8 (a BOM is dropped); other encodings are named and refused. */
export function decodeSource(bytes: Buffer, file: string, what: string): SourceRead {
  const bom = (...b: number[]): boolean => b.every((x, i) => bytes[i] === x);
  const other = (name: string): SourceRead =>
    refused(file, 'encoding', `the ${what} is ${name}; stackplay reads UTF-8 only (convert it, e.g. iconv -f ${name.replace(/ .*/, '')} -t UTF-8)`);
  if (bom(0xff, 0xfe, 0, 0)) return other('UTF-32LE (with a byte-order mark)');
  if (bom(0, 0, 0xfe, 0xff)) return other('UTF-32BE (with a byte-order mark)');
  if (bom(0xff, 0xfe)) return other('UTF-16LE (with a byte-order mark)');
  if (bom(0xfe, 0xff)) return other('UTF-16BE (with a byte-order mark)');
  const body = bom(0xef, 0xbb, 0xbf) ? bytes.subarray(3) : bytes;
  const nul = body.indexOf(0);
  if (nul >= 0) {
    // ASCII text in UTF-16 has every other byte zero
    const pairs = Math.min(body.length >> 1, 512);
    let even = 0;
    let odd = 0;
    for (let i = 0; i < pairs * 2; i += 2) {
      if (body[i] === 0) even++;
      if (body[i + 1] === 0) odd++;
    }
    if (pairs > 0 && odd > pairs * 0.4 && even === 0) return other('UTF-16LE (no byte-order mark)');
    if (pairs > 0 && even > pairs * 0.4 && odd === 0) return other('UTF-16BE (no byte-order mark)');
    const at = lineCol(body, nul);
    return refused(file, 'encoding', `the ${what} holds a NUL byte: it is binary, not UTF-8 text`, at.line, at.col, at.offset);
  }
  const bad = firstInvalidUtf8(body);
  if (bad >= 0) {
    const at = lineCol(body, bad);
    return refused(
      file, 'encoding',
      `the ${what} is not UTF-8: byte 0x${body[bad]!.toString(16).toUpperCase().padStart(2, '0')} cannot start or continue a character (Latin-1 or another 8-bit encoding?); stackplay reads UTF-8 only (convert it, e.g. iconv -f LATIN1 -t UTF-8)`,
      at.line, at.col, at.offset,
    );
  }
  return { ok: true, text: body.toString('utf8') };
}

/** Offset of the first byte that is not part of a well-formed UTF-8 sequence, or -1. */
function firstInvalidUtf8(b: Buffer): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) [n, min] = [1, 0x80];
    else if (c >= 0xe0 && c <= 0xef) [n, min] = [2, 0x800];
    else if (c >= 0xf0 && c <= 0xf4) [n, min] = [3, 0x10000];
    else return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const x = b[i + k];
      if (x === undefined || (x & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (x & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return -1;
}
