// Reading input files: regular files only (without blocking on a FIFO), bounded size, UTF-8 only, with
// other encodings named and the position of the first bad byte.

import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { decodeSource, readSource } from '../../src/util/read-source.js';

describe('util: reading an input file', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(os.tmpdir(), 'stackplay-read-source-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const decoded = (bytes: number[] | Buffer) => decodeSource(Buffer.from(bytes), 'f.yml', 'playbook');

  it('reads UTF-8 and drops a byte-order mark', () => {
    expect(decoded(Buffer.from('\ufeffa: é\n', 'utf8'))).to.deep.equal({ ok: true, text: 'a: é\n' });
  });

  it('names UTF-16 and UTF-32 with or without a byte-order mark', () => {
    const cases: Array<[Buffer, string]> = [
      [Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a: 1\n', 'utf16le')]), 'UTF-16LE (with a byte-order mark)'],
      [Buffer.from('a: 1\nb: 2\n', 'utf16le'), 'UTF-16LE (no byte-order mark)'],
      [Buffer.from('a: 1\nb: 2\n', 'utf16le').swap16(), 'UTF-16BE (no byte-order mark)'],
      [Buffer.from([0xff, 0xfe, 0, 0, 0x61, 0, 0, 0]), 'UTF-32LE (with a byte-order mark)'],
    ];
    for (const [bytes, name] of cases) {
      const r = decoded(bytes);
      expect(r.ok).to.equal(false);
      if (!r.ok) expect(r.problem.message).to.include(name).and.include('UTF-8 only');
    }
  });

  it('gives the line and column of the first byte that is not UTF-8, counting CR-only lines', () => {
    const r = decoded(Buffer.from([...Buffer.from('a: 1\rb: caf'), 0xe9, 0x0a]));
    expect(r.ok).to.equal(false);
    if (!r.ok) {
      expect(r.problem.pos).to.include({ line: 2, col: 7 });
      expect(r.problem.message).to.include('0xE9').and.not.include('\u00e9');
    }
    const nul = decoded(Buffer.from('a: 1\r\nb: x\u0000y\n'));
    expect(!nul.ok && nul.problem.pos).to.include({ line: 2, col: 5 });
  });

  it('refuses a FIFO without opening it, and a directory, by what they are', () => {
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const r = readSource(fifo, 'inventory');
    expect(!r.ok && r.problem.message).to.include('named pipe (FIFO)');
    const d = readSource(dir, 'playbook');
    expect(!d.ok && d.problem.message).to.include('a directory');
  });

  it('refuses a file past the limit by its size', () => {
    const big = join(dir, 'big.yml');
    writeFileSync(big, 'x'.repeat(2048));
    const r = readSource(big, 'vars file', big, 1024);
    expect(!r.ok && r.problem.code).to.equal('too-large');
    expect(readSource(big, 'vars file', big, 4096).ok).to.equal(true);
  });
});
