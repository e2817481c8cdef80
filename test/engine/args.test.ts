// The engine reads templated arguments with the step's schema after rendering: a value that does not
// fit fails the step at the template's own file:line:col before the step does anything (it used to
// run with a made-up value: "paused 0ms", or a follow timeout of no limit at all).

import { expect } from 'chai';
import { existsSync, rmSync } from 'node:fs';
import { play, runYaml } from '../support/run-yaml.js';

const INVENTORY = 'hosts:\n  ms1:\n    address: 127.0.0.1\n    cloudstack:\n      url: http://127.0.0.1:9/client/api\n      api_key: { secret: k-0123456789 }\n      secret_key: { secret: s-0123456789 }\n';

describe('engine: templated arguments are read with the step schema', () => {
  const marker = `/tmp/stackplay-args-${process.pid}`;
  afterEach(() => rmSync(marker, { force: true }));

  it("pause: \"{{d}}\" with d 'ten seconds' fails at the template's position, and does not pause", async () => {
    const { ends, summary } = await runYaml(play(`
      - name: wait a bit
        pause: "{{d}}"`), { extraVars: { d: 'ten seconds' } });
    expect(summary.exitCode).to.equal(1);
    expect(ends('wait a bit')[0]!.msg).to.equal(
      "argument 'duration' of 'wait a bit' must be a duration like 5, '30s', '5m' or '1h30m', not 'ten seconds' (t.yml:8:16)");
  });

  it("a bad templated follow timeout fails at its position and the command is never started", async () => {
    const { ends } = await runYaml(play(`
      - name: follow it
        follow:
          command: "touch ${marker}"
          timeout: "{{limit}}"`), { extraVars: { limit: 'forever' } });
    const end = ends('follow it')[0]!;
    expect(end.status).to.equal('failed');
    expect(end.msg).to.match(/^argument 'timeout' of 'follow it' must be a duration .*not 'forever' \(t\.yml:10:20\)$/);
    expect(existsSync(marker), 'the command did not start').to.equal(false);
  });

  it('a rendered value is converted like a written one ("30" seconds, "8096" a port, "true" a boolean)', async () => {
    const { ends, summary } = await runYaml(play(`
      - name: short pause
        pause: "{{d}}"
      - name: probe
        wait_for: {port: "{{p}}", host: 127.0.0.1, timeout: 0, state: closed}`), { extraVars: { d: '0.01', p: '1' } });
    expect(summary.exitCode, JSON.stringify(ends('probe'))).to.equal(0);
    expect(ends('short pause')[0]!.msg).to.equal('paused 10ms');
  });

  it("a templated host that is not in the inventory fails at the template's position, with a suggestion", async () => {
    const { ends } = await runYaml(play(`
      - name: facts
        cloudstack.facts: {host: "{{ms}}"}`), { inventory: INVENTORY, extraVars: { ms: 'ms2' } });
    expect(ends('facts')[0]!.msg).to.equal("argument 'host' of 'facts' names 'ms2', which is not in the inventory — did you mean 'ms1'? (t.yml:8:34)");
  });

  it('a cross-argument rule is checked again once the templates are rendered', async () => {
    const { ends } = await runYaml(play(`
      - name: wait
        wait_for: {path: /tmp, state: "{{s}}"}`), { extraVars: { s: 'open' } });
    expect(ends('wait')[0]!.msg).to.equal("argument 'state' of 'wait': a file is present or absent (t.yml:8:39)");
  });

  it('a dry run does not call a read step with an argument it cannot know: the step is unknown, not failed', async () => {
    const { ends } = await runYaml(play(`
      - {name: write, local: "true", register: w}
      - name: facts
        cloudstack.facts: {host: "{{w.stdout}}"}`), { inventory: INVENTORY, dryRun: true });
    const end = ends('facts')[0]!;
    expect(end.status).to.equal('unknown');
    expect(end.msg).to.match(/^argument 'host' is unknown in a dry run: /);
  });
});
