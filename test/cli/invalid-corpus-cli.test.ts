// Every case of the invalid-input corpus through the built CLI, as a user meets it: `validate`,
// `run --dry-run` and `run` (loopback only; nothing may run anyway). Each finishes with a message
// (a generous hang guard, never a timing assertion), exits 2, names the file:line:col, shows no stack
// and no secret (corpus secrets start with S3CR3T), and leaves no journal: nothing started.

import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { corpusCases, prepareCase } from '../support/invalid-corpus.js';
import { BIN, REPO_ROOT } from '../support/paths.js';

const HANG_GUARD_MS = 20_000;

interface Outcome {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly hung: boolean;
}

function cli(args: readonly string[], home: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HOME: home, XDG_STATE_HOME: join(home, 'state'), NO_COLOR: '1', STACKPLAY_JOURNAL_DIR: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let hung = false;
    const guard = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, HANG_GUARD_MS);
    child.on('close', (status) => {
      clearTimeout(guard);
      resolve({ status, stdout, stderr, hung });
    });
  });
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('invalid-input corpus through the CLI', function () {
  this.timeout(4 * HANG_GUARD_MS);

  for (const c of corpusCases()) {
    it(`${c.file}: exit 2 at ${c.line}:${c.col}, no stack, no secret, nothing ran`, async () => {
      const prepared = await prepareCase(c);
      const home = mkdtempSync(join(os.tmpdir(), 'stackplay-corpus-home-'));
      try {
        const journals = join(home, 'runs');
        const commands = [
          ...(c.onlyRun ? [] : [['validate']]),
          ['run', '--dry-run', '--journal-dir', journals, '-o', 'plain'],
          ['run', '--journal-dir', journals, '-o', 'plain'],
        ];
        for (const command of commands) {
          const [name, ...flags] = command;
          const r = await cli([name!, ...prepared.args, ...flags], home);
          const what = `${command.join(' ')} ${prepared.args.join(' ')}\n${r.stdout}${r.stderr}`;
          expect(r.hung, `hung: ${what}`).to.equal(false);
          expect(r.status, what).to.equal(2);
          expect(r.stderr, what).to.include(`${prepared.at}:${c.line}:${c.col}`);
          expect(r.stderr, what).to.include(c.code);
          // no follow-on problems where the case says it stands alone
          if (c.alone) expect(r.stderr, what).to.include('1 problem found');
          expect(r.stderr, what).to.not.match(/internal error|Maximum call stack|\n\s+at .+:\d+:\d+\)?\n/);
          expect(`${r.stdout}${r.stderr}`, what).to.not.include('S3CR3T');
          // a NUL or other control byte of the input never reaches the terminal
          expect(r.stderr, what).to.not.match(/[\u0000-\u0008\u000e-\u001f]/);
        }
        // nothing started: no journal at all (a load-time refusal comes before the run opens one)
        const written = filesUnder(home).filter((f) => f.endsWith('.jsonl'));
        expect(written, 'journals').to.deep.equal([]);
        for (const f of filesUnder(home)) expect(readFileSync(f, 'utf8'), f).to.not.include('S3CR3T');
      } finally {
        rmSync(home, { recursive: true, force: true });
        await prepared.cleanup();
      }
    });
  }
});
