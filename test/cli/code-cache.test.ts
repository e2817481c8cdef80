// bin/stackplay.js runs the CLI bundle through a V8 code cache: the cache is written after a run, a
// corrupt one is rejected and replaced, and a cache directory that cannot be made never stops a command.

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { BIN, REPO_ROOT } from '../support/paths.js';

function validate(env: Record<string, string>) {
  return spawnSync(process.execPath, [BIN, 'validate', 'playbooks/examples/hello.yml'], {
    cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1', ...env },
  });
}

describe('cli: code cache', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(os.tmpdir(), 'stackplay-cache-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is written after a run, owner-only, and a corrupt one is replaced', () => {
    expect(validate({ XDG_CACHE_HOME: dir }).status).to.equal(0);
    const files = readdirSync(join(dir, 'stackplay'));
    expect(files).to.have.length(1);
    const path = join(dir, 'stackplay', files[0]!);
    expect(statSync(path).mode & 0o077).to.equal(0);
    const good = readFileSync(path);
    writeFileSync(path, 'not a code cache');
    const r = validate({ XDG_CACHE_HOME: dir });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.include('valid: hello');
    expect(readFileSync(path).length).to.be.above(1000);
    expect(good.length).to.be.above(1000);
  });

  it('a rebuilt bundle of the same length runs its own code, not the cached code of the old one', () => {
    // a package laid out like the real one: bin/stackplay.js loads ../dist/cli/main.cjs
    const pkg = join(dir, 'pkg');
    mkdirSync(join(pkg, 'bin'), { recursive: true });
    mkdirSync(join(pkg, 'dist/cli'), { recursive: true });
    copyFileSync(BIN, join(pkg, 'bin/stackplay.js'));
    copyFileSync(join(REPO_ROOT, 'package.json'), join(pkg, 'package.json'));
    const bundle = (word: string): string => `exports.main = async () => { process.stdout.write(${JSON.stringify(`${word}\n`)}); };\n`;
    const run = () => spawnSync(process.execPath, [join(pkg, 'bin/stackplay.js'), 'list'], {
      encoding: 'utf8', timeout: 30_000, env: { ...process.env, XDG_CACHE_HOME: join(dir, 'cache') },
    });
    expect(bundle('first').length).to.equal(bundle('again').length);
    writeFileSync(join(pkg, 'dist/cli/main.cjs'), bundle('first'));
    // twice: the second start runs from the cache the first one wrote
    for (let i = 0; i < 2; i++) expect(run().stdout).to.equal('first\n');
    writeFileSync(join(pkg, 'dist/cli/main.cjs'), bundle('again'));
    const r = run();
    expect(r.stdout, r.stderr).to.equal('again\n');
    expect(run().stdout).to.equal('again\n');
    // caches of older builds do not pile up: the newest three stay
    for (const word of ['three', 'four5', 'five5']) {
      writeFileSync(join(pkg, 'dist/cli/main.cjs'), bundle(word));
      expect(run().stdout).to.equal(`${word}\n`);
    }
    expect(readdirSync(join(dir, 'cache', 'stackplay'))).to.have.length(3);
  });

  it('a cache directory that cannot be made (a file in the way, /proc) never stops or hangs a command', () => {
    writeFileSync(join(dir, 'file'), 'x');
    const cases: Array<Record<string, string>> = [{ XDG_CACHE_HOME: join(dir, 'file') }, { XDG_CACHE_HOME: '', HOME: '/proc' }];
    for (const env of cases) {
      const r = validate(env);
      expect(r.error, 'finished in time').to.equal(undefined);
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.include('valid: hello');
    }
  });
});
