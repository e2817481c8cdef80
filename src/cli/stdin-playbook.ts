// `stackplay run -`: the playbook comes on standard input. It is read whole (bounded like any input
// file, UTF-8 only) and kept beside the run's journal (0600), so `recover` and `resume` can load the same
// playbook again after the pipe that gave it is gone; a run refused as invalid input removes it again.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../app/errors.js';
import { decodeSource } from '../util/read-source.js';

const LIMIT = 16 * 1024 * 1024;

async function readAll(stdin: NodeJS.ReadStream): Promise<Buffer> {
  if (stdin.isTTY) throw new UsageError("run -: the playbook is read from standard input, which is a terminal here; pipe one in (stackplay run - < playbook.yml)");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > LIMIT) throw new UsageError('run -: standard input holds more than 16 MiB; a playbook is far smaller');
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/** Reads the playbook from stdin and saves it as `<journalDir>/<runId>.playbook.yml`; returns that path. */
export async function stdinPlaybook(stdin: NodeJS.ReadStream, journalDir: string, runId: string): Promise<{ path: string; discard(): void }> {
  const decoded = decodeSource(await readAll(stdin), '<stdin>', 'playbook');
  if (!decoded.ok) throw new UsageError(`run -: ${decoded.problem.message}`);
  if (decoded.text.trim() === '') throw new UsageError('run -: standard input was empty; pipe a playbook in (stackplay run - < playbook.yml)');
  mkdirSync(journalDir, { recursive: true, mode: 0o700 });
  const path = join(journalDir, `${runId}.playbook.yml`);
  writeFileSync(path, decoded.text, { mode: 0o600 });
  return { path, discard: () => rmSync(path, { force: true }) };
}
