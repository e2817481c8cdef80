// `stackplay run -` (the playbook on standard input, kept beside the journal so recover and resume can
// load it again) and `stackplay completion bash|zsh`, driven through the built CLI and a real bash.

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { BIN, FIXTURES, REPO_ROOT } from '../support/paths.js';

function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, encoding: 'utf8', input: input ?? '', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('cli: run - and completion', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(os.tmpdir(), 'stackplay-stdin-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('run - reads the playbook from standard input and keeps it (0600) beside the journal that names it', () => {
    const journal = join(dir, 'runs');
    const r = cli(['run', '-', '-o', 'plain', '--journal-dir', journal, '-e', 'who=stdin'], readFileSync(join(FIXTURES, 'valid/extra-vars.yml'), 'utf8'));
    expect(r.code, r.out + r.err).to.equal(0);
    expect(r.out).to.include('hello stdin 0');
    const kept = readdirSync(journal).filter((f) => f.endsWith('.playbook.yml'));
    expect(kept).to.have.length(1);
    expect(statSync(join(journal, kept[0]!)).mode & 0o777).to.equal(0o600);
    const header = JSON.parse(readFileSync(join(journal, kept[0]!.replace('.playbook.yml', '.jsonl')), 'utf8').split('\n')[0]!) as { playbook: string };
    expect(header.playbook).to.equal(join(journal, kept[0]!));
  });

  it('run - with invalid, empty or no input is exit 2 with a message, and keeps nothing', () => {
    const journal = join(dir, 'runs');
    const bad = cli(['run', '-', '--journal-dir', journal], 'plays: [\n');
    expect(bad.code).to.equal(2);
    expect(bad.out + bad.err).to.include("the '[' opened here is never closed");
    expect(existsSync(journal) ? readdirSync(journal).filter((f) => f.endsWith('.playbook.yml')) : []).to.deep.equal([]);
    const empty = cli(['run', '-', '--journal-dir', journal], '');
    expect(empty.code).to.equal(2);
    expect(empty.err).to.include('standard input was empty');
  });

  it('completion bash completes commands, the options of each command and bundled playbook names', () => {
    const script = cli(['completion', 'bash']);
    expect(script.code).to.equal(0);
    const complete = (words: string[]): string[] => {
      const r = spawnSync('bash', ['-c', `eval "$(cat)"; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _stackplay; printf '%s\\n' "\${COMPREPLY[@]}"`], { input: script.out, encoding: 'utf8', cwd: dir });
      return r.stdout.split('\n').filter(Boolean);
    };
    expect(complete(['stackplay', 'va'])).to.deep.equal(['validate']);
    expect(complete(['stackplay', 'run', '--list-'])).to.deep.equal(['--list-hosts', '--list-steps']);
    expect(complete(['stackplay', 'run', 'cloudstack/pre'])).to.deep.equal(['cloudstack/preflight']);
    expect(cli(['completion', 'fish']).code).to.equal(2);
  });
});
