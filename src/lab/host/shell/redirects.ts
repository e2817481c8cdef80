// Redirections of the lab hosts' shell around a command or a compound command: >, >>, <, 2>&1, >&2,
// /dev/null, into the host's virtual files. Output is appended as it arrives, so `tail` can follow a
// background job's log while it runs.

import { Vfs } from '../vfs.js';
import { expandString, type Expansion } from './expand.js';
import type { Redirect } from './parse.js';
import { Input, type CommandIO, type HostContext } from './types.js';

export async function withRedirects(
  redirects: readonly Redirect[], io: CommandIO, host: HostContext, x: Expansion, fn: (io: CommandIO) => Promise<number>,
): Promise<number> {
  if (redirects.length === 0) return fn(io);
  const fs = host.fs;
  let out = io.out;
  let err = io.err;
  let input = io.input;
  let stdin = io.stdin;
  for (const r of redirects) {
    if (r.op === 'dup') {
      if (r.fd === 2) err = r.to === 1 ? out : err;
      else out = r.to === 2 ? err : out;
      continue;
    }
    const target = await expandString(r.target, x);
    const p = Vfs.normalize(target, x.sh.cwd);
    if (r.op === '<') {
      const content = p === '/dev/null' ? '' : fs.read(p);
      if (content === undefined) {
        io.err(`bash: ${target}: No such file or directory\n`);
        return 1;
      }
      input = new Input(content);
      stdin = input.rest;
      continue;
    }
    if (p === '/dev/null') {
      const drop = (): void => undefined;
      if (r.fd === 1) out = drop;
      else err = drop;
      continue;
    }
    if (fs.isDir(p)) {
      io.err(`bash: ${target}: Is a directory\n`);
      return 1;
    }
    const parent = p.slice(0, p.lastIndexOf('/')) || '/';
    if (!fs.isDir(parent)) {
      io.err(`bash: ${target}: No such file or directory\n`);
      return 1;
    }
    if (r.op === '>' || !fs.isFile(p)) fs.write(p, '');
    const write = (s: string): void => fs.append(p, s);
    if (r.fd === 1) out = write;
    else err = write;
  }
  return fn({ stdin, input, out, err });
}
