// Reviewed plans through the built CLI: `run --dry-run --save-plan` writes what each step would do, and
// `apply` runs exactly that — refused, naming what changed and changing nothing, when a fresh dry run
// against the live lab says otherwise (a router rebooted by hand), or when an input's text changed.

import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { startLab, type Lab } from '../../src/lab/index.js';
import { BIN, REPO_ROOT } from '../support/paths.js';
import { okAt } from '../lab/helpers.js';

interface Step { host: string; stepId: string; name: string; says: string }

function cli(args: string[], dir: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // not spawnSync: the lab lives in this process and must keep answering
    const c = spawn(process.execPath, [BIN, ...args, '--journal-dir', join(dir, 'runs')], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1', HOME: dir, SSH_AUTH_SOCK: '' } });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.stdin.end();
    c.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('saved plans: run --save-plan and apply', function () {
  this.timeout(120_000);
  let lab: Lab;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(os.tmpdir(), 'stackplay-plan-'));
    lab = await startLab({ address: '127.0.0.72', speed: 200, stateDir: join(dir, 'lab'), config: { preset: 'classic' } });
  });
  after(async () => {
    await lab?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const PB = 'cloudstack/systemvm-restart-api';
  const savePlan = async (file: string): Promise<{ steps: Step[] }> => {
    const r = await cli(['run', PB, '-i', lab.inventoryPath, '--dry-run', '--save-plan', file, '-o', 'json'], dir);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stderr).to.include(`plan saved to ${file}`);
    return JSON.parse(readFileSync(file, 'utf8')) as { steps: Step[] };
  };
  const REBOOT = 'Reboot routers in a rolling window (redundant pairs BACKUP first, then PRIMARY), then check Running and requiresupgrade=false';

  it('a plan applied after a router was rebooted by hand is refused with the router named, and nothing changes', async () => {
    const file = join(dir, 'plan-1.json');
    const plan = await savePlan(file);
    const says = plan.steps.find((s) => s.name === REBOOT)!.says;
    const router = /router (r-\d+-VM)/.exec(says)![1]!;
    // the operator reboots one router by hand: it comes back at the new version
    const listed = await okAt(lab, lab.apiUrl, { command: 'listRouters', listall: 'true', name: router });
    await okAt(lab, lab.apiUrl, { command: 'rebootRouter', id: listed.router[0].id as string });
    const upgraded = (): boolean => lab.state().routers.some((r) => r['name'] === router && r['state'] === 'Running' && r['requiresUpgrade'] === false);
    for (const end = Date.now() + 60_000; !upgraded();) {
      if (Date.now() > end) throw new Error(`${router} did not come back`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const before = JSON.stringify({ svms: lab.state().systemVms, routers: lab.state().routers.map((r) => [r['name'], r['requiresUpgrade'], r['state']]) });
    const r = await cli(['apply', file, '-o', 'json'], dir);
    expect(r.status, r.stderr).to.equal(1);
    expect(r.stderr).to.include('the plan no longer holds; nothing was changed');
    expect(r.stderr).to.include(`step '${REBOOT}' on mgmt1 would do something else now: in the plan only: ${router}`);
    expect(r.stdout, 'nothing ran').to.not.include('"type":"step-start"');
    const after = JSON.stringify({ svms: lab.state().systemVms, routers: lab.state().routers.map((x) => [x['name'], x['requiresUpgrade'], x['state']]) });
    expect(after).to.equal(before);
  });

  it('a plan applied unchanged runs and matches the plan step for step', async () => {
    const file = join(dir, 'plan-2.json');
    const plan = await savePlan(file);
    const r = await cli(['apply', file, '-o', 'json'], dir);
    expect(r.status, r.stderr + r.stdout.slice(-2000)).to.equal(0);
    expect(r.stderr).to.include(`apply: ran as planned: the ${plan.steps.length} step(s) of ${file}`);
    const ran = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; host: string; stepId: string })
      .filter((e) => e.type === 'step-end').map((e) => `${e.host} ${e.stepId}`);
    expect(ran.sort()).to.deep.equal(plan.steps.map((s) => `${s.host} ${s.stepId}`).sort());
    expect(lab.state().routers.filter((x) => x['state'] === 'Running' && x['requiresUpgrade'] === true)).to.deep.equal([]);
  });

  it('a playbook edited after the plan was saved is refused, naming the file', async () => {
    const pb = join(dir, 'local.yml');
    writeFileSync(pb, ['name: t', 'plays:', '  - name: p', '    hosts: localhost', '    steps:', '      - {name: Say, log: one}', ''].join('\n'));
    const file = join(dir, 'plan-3.json');
    expect((await cli(['run', pb, '--dry-run', '--save-plan', file, '-o', 'plain'], dir)).status).to.equal(0);
    writeFileSync(pb, readFileSync(pb, 'utf8').replace('log: one', 'log: two'));
    const r = await cli(['apply', file, '-o', 'plain'], dir);
    expect(r.status, r.stderr).to.equal(1);
    expect(r.stderr).to.include(`${pb} has changed since the plan was made`);
    expect(r.stdout).to.not.include('two');
  });

  it('a secret -e value is never saved: apply asks for it again and takes nothing else', async () => {
    const pb = join(dir, 'secret.yml');
    writeFileSync(pb, ['name: t', 'plays:', '  - name: p', '    hosts: localhost', '    steps:', "      - {name: Use it, fail: not the password planned with, when: \"db_password != 'hunter2-secret'\"}", ''].join('\n'));
    const file = join(dir, 'plan-4.json');
    const saved = await cli(['run', pb, '-e', 'db_password=hunter2-secret', '--dry-run', '--save-plan', file, '-o', 'plain'], dir);
    expect(saved.status, saved.stderr).to.equal(0);
    expect(readFileSync(file, 'utf8')).to.not.include('hunter2-secret');
    expect(readFileSync(file, 'utf8')).to.include('db_password=***');
    const missing = await cli(['apply', file, '-o', 'plain'], dir);
    expect(missing.status).to.equal(2);
    expect(missing.stderr).to.include('give it again (apply -e db_password=…)');
    const other = await cli(['apply', file, '-e', 'db_password=hunter2-secret', '-e', 'zones=x', '-o', 'plain'], dir);
    expect(other.status).to.equal(2);
    expect(other.stderr).to.include('the plan has no secret of that name');
    const ok = await cli(['apply', file, '-e', 'db_password=hunter2-secret', '-o', 'plain'], dir);
    expect(ok.status, ok.stderr + ok.stdout).to.equal(0);
    expect(ok.stdout + ok.stderr).to.not.include('hunter2-secret');
  });

  it('a file that is not a saved plan is refused with its position; --save-plan needs --dry-run', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{\n  "format": "stackplay-plan",\n  oops\n}\n');
    const r = await cli(['apply', bad], dir);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(new RegExp(`${bad}:3:\\d+: not a saved plan`));
    expect(r.stderr).to.not.include('    at ');
    const other = join(dir, 'other.json');
    writeFileSync(other, '{"format": "something else"}');
    expect((await cli(['apply', other], dir)).stderr).to.include(`${other}:1:1: not a saved plan`);
    const noDry = await cli(['run', 'playbooks/examples/hello.yml', '--save-plan', join(dir, 'x.json')], dir);
    expect(noDry.status).to.equal(2);
    expect(noDry.stderr).to.include('--save-plan saves what a dry run shows: use it with --dry-run');
  });
});
