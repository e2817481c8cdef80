import { expect } from 'chai';
import { runYaml, play } from '../support/run-yaml.js';
import type { RunEvent } from '../../src/engine/events.js';

const order = (events: RunEvent[]): string[] =>
  events.filter((e): e is Extract<RunEvent, { type: 'step-end' }> => e.type === 'step-end').map((e) => `${e.name}:${e.status}`);

const HOSTS = `hosts:\n  h1: {address: 127.0.0.1}\n  h2: {address: 127.0.0.1}\n  h3: {address: 127.0.0.1}\ngroups:\n  web: {hosts: [h1, h2, h3]}\n`;

describe('executor', () => {
  it('runs block, rescue and always in order and the host goes on after a rescue', async () => {
    const { events, summary } = await runYaml(play(`
      - name: B
        block:
          - {name: one, log: "1"}
          - {name: boom, fail: "broken"}
          - {name: never, log: "x"}
        rescue:
          - {name: rescue, log: r}
        always:
          - {name: always, log: a}
      - {name: after, log: after}`));
    expect(order(events)).to.deep.equal(['one:ok', 'boom:failed', 'rescue:ok', 'always:ok', 'B:ok', 'after:ok']);
    expect(summary.exitCode).to.equal(0);
  });

  it('runs always even when the block fails without rescue, then the host stops (exit 1)', async () => {
    const { events, summary } = await runYaml(play(`
      - name: B
        block:
          - {name: boom, fail: "broken"}
        always:
          - {name: always, log: a}
      - {name: after, log: after}`));
    expect(order(events)).to.deep.equal(['boom:failed', 'always:ok', 'B:failed']);
    expect(summary.exitCode).to.equal(1);
    expect(summary.recap.localhost!.failed).to.equal(1);
  });

  it('runs a notified handler once at the end of the play, and not when nothing changed', async () => {
    const { events } = await runYaml(play(`
      - {name: change 1, local: "true", notify: H}
      - {name: change 2, local: "true", notify: H}
      - {name: no change, local: "true", changed_when: false, notify: Other}`, { handlers: `
      - {name: H, log: handler}
      - {name: Other, log: other}` }));
    expect(order(events)).to.deep.equal(['change 1:changed', 'change 2:changed', 'no change:ok', 'H:ok']);
  });

  it('flush_handlers runs notified handlers at that point', async () => {
    const { events } = await runYaml(play(`
      - {name: c, local: "true", notify: H}
      - {name: flush, flush_handlers: true}
      - {name: after, log: x}`, { handlers: `
      - {name: H, log: handler}` }));
    expect(order(events)).to.deep.equal(['c:changed', 'H:ok', 'after:ok']);
  });

  it('loops with the item variable and registers per-item results', async () => {
    const { events } = await runYaml(play(`
      - name: L
        set: { doubled: "{{item}}{{item}}" }
        loop: [a, b]
        register: r
      - name: check
        assert:
          that:
            - len(r.results) == 2
            - r.results[1].doubled == 'bb'
            - r.results[0].item == 'a'`));
    expect(order(events)).to.deep.equal(['L:ok', 'check:ok']);
  });

  it('a failed loop reports the messages of its failed items, not of the item that ran last', async () => {
    const { events } = await runYaml(play(`
      - name: L
        assert: { that: "item != 'b' and item != 'd'", msg: "{{item}} is bad", success_msg: "{{item}} is fine" }
        loop: [a, b, c, d, e]
        ignore_errors: true`));
    const end = events.find((e): e is Extract<RunEvent, { type: 'step-end' }> => e.type === 'step-end' && e.name === 'L')!;
    expect(end.status).to.equal('failed');
    expect(end.msg).to.equal('b is bad; d is bad');
  });

  it('retries until the condition holds', async () => {
    const { events } = await runYaml(play(`
      - name: count
        local: "n=$(cat $F 2>/dev/null || echo 0); echo $((n+1)) > $F; echo $((n+1))"
        register: c
        until: c.stdout == '3'
        retries: 5
        delay: 1ms
      - {name: cleanup, local: "rm -f $F"}`).replace(/\$F/g, `/tmp/stackplay-test-${process.pid}`));
    const progress = events.filter((e) => e.type === 'step-progress');
    expect(progress).to.have.length(2);
    expect(order(events)[0]).to.equal('count:changed');
  });

  it('fails after the retries run out', async () => {
    const { events, summary } = await runYaml(play(`
      - {name: never, local: "echo no", register: r, until: "r.stdout == 'yes'", retries: 2, delay: 1ms}`));
    const end = events.find((e) => e.type === 'step-end') as Extract<RunEvent, { type: 'step-end' }>;
    expect(end.status).to.equal('failed');
    expect(end.msg).to.include("'until' still false after 3 attempts");
    expect(summary.exitCode).to.equal(1);
  });

  it('skips steps whose when is false and applies failed_when/changed_when', async () => {
    const { events } = await runYaml(play(`
      - {name: skipped, log: x, when: "1 == 2"}
      - {name: fails by rule, local: "echo bad", register: r, failed_when: "'bad' in r.stdout", ignore_errors: true}
      - {name: unchanged, local: "true", changed_when: false}`));
    expect(order(events)).to.deep.equal(['skipped:skipped', 'fails by rule:failed', 'unchanged:ok']);
    const f = events.find((e) => e.type === 'step-end' && e.name === 'fails by rule') as Extract<RunEvent, { type: 'step-end' }>;
    expect(f.ignored).to.equal(true);
  });

  it('a failed host stops for the play while the others go on', async () => {
    const { events, summary } = await runYaml(play(`
      - {name: maybe fail, fail: "no", when: "inventory_hostname == 'h2'"}
      - {name: next, log: x}`, { hosts: 'web' }), { inventory: HOSTS });
    const next = events.filter((e) => e.type === 'step-end' && e.name === 'next').map((e) => (e as { host: string }).host);
    expect(next).to.deep.equal(['h1', 'h3']);
    expect(summary.exitCode).to.equal(1);
  });

  it('a host that failed leaves the run: later plays go on without it (as in Ansible), and stop when every host has left', async () => {
    const text = `name: p
plays:
  - name: first
    hosts: web
    steps:
      - {name: maybe fail, fail: "no", when: "inventory_hostname == 'h2'"}
  - name: second
    hosts: web
    steps:
      - {name: later, log: x}
  - name: third
    hosts: h2
    steps:
      - {name: only h2, log: x}
  - name: fourth
    hosts: web
    steps:
      - {name: never, log: x}
`;
    const { events, summary } = await runYaml(text, { inventory: HOSTS });
    const hostsOf = (name: string): string[] => events.filter((e) => e.type === 'step-end' && e.name === name).map((e) => (e as { host: string }).host);
    expect(hostsOf('later')).to.deep.equal(['h1', 'h3']);
    expect(hostsOf('only h2')).to.deep.equal([]);
    // a play whose every host has left stops the run, as a play whose every host failed always did
    expect(hostsOf('never')).to.deep.equal([]);
    expect(summary.exitCode).to.equal(1);
  });

  it('serial with max_fail_percentage stops the play when too many hosts fail', async () => {
    const { events, summary } = await runYaml(play(`
      - {name: f, fail: "no", when: "inventory_hostname == 'h1'"}
      - {name: next, log: x}`, { hosts: 'web', extra: '    serial: 1\n    max_fail_percentage: 0' }), { inventory: HOSTS });
    expect(events.filter((e) => e.type === 'step-end' && e.name === 'next')).to.have.length(0);
    expect(summary.exitCode).to.equal(1);
  });

  it('run_once runs on the first host and shares the registered result', async () => {
    const { events } = await runYaml(play(`
      - {name: once, set: {v: 7}, run_once: true, register: o}
      - {name: check, assert: "o.v == 7"}`, { hosts: 'web' }), { inventory: HOSTS });
    expect(events.filter((e) => e.type === 'step-end' && e.name === 'once')).to.have.length(1);
    expect(events.filter((e) => e.type === 'step-end' && e.name === 'check' && e.status === 'ok')).to.have.length(3);
  });

  it('variable precedence: -e > registered > play vars > host vars > group vars > playbook vars', async () => {
    const inv = `hosts:\n  h1:\n    vars: {a: host, b: host, c: host}\ngroups:\n  g:\n    hosts: [h1]\n    vars: {a: group, b: group, c: group, d: group}\n`;
    const text = [
      'name: t', 'vars: {a: pb, b: pb, c: pb, d: pb, e: pb}', 'plays:', '  - name: p', '    hosts: g', '    vars: {a: play, b: play}', '    steps:',
      '      - {name: reg, set: {a: registered}}',
      "      - {name: check, assert: {that: [\"a == 'extra'\", \"b == 'play'\", \"c == 'host'\", \"d == 'group'\", \"e == 'pb'\"]}}",
    ].join('\n');
    const { events } = await runYaml(text, { inventory: inv, extraVars: { a: 'extra' } });
    expect(order(events)).to.deep.equal(['reg:ok', 'check:ok']);
  });

  it('tags select steps; always-tagged steps run anyway', async () => {
    const { events } = await runYaml(play(`
      - {name: a, log: x, tags: [one]}
      - {name: b, log: x, tags: [two]}
      - {name: c, log: x, tags: [always]}`), { tags: ['one'] });
    expect(order(events)).to.deep.equal(['a:ok', 'c:ok']);
  });
});

describe('executor: strategy free', () => {
  const HOSTS3 = `hosts:\n  h1: {address: 127.0.0.1}\n  h2: {address: 127.0.0.1}\n  h3: {address: 127.0.0.1}\n`;
  it('lets each host run at its own pace; run_once still runs once and shares its result', async () => {
    const text = [
      'name: t', 'plays:', '  - name: p', '    hosts: all', '    strategy: free', '    steps:',
      '      - {name: once, set: {v: 7}, run_once: true, register: o}',
      "      - {name: slow on h1, pause: 50ms, when: \"inventory_hostname == 'h1'\"}",
      '      - {name: check, assert: "o.v == 7"}',
    ].join('\n');
    const { events } = await (await import('../support/run-yaml.js')).runYaml(text, { inventory: HOSTS3 });
    const ends = events.filter((e): e is Extract<RunEvent, { type: 'step-end' }> => e.type === 'step-end');
    expect(ends.filter((e) => e.name === 'once')).to.have.length(1);
    expect(ends.filter((e) => e.name === 'check' && e.status === 'ok')).to.have.length(3);
  });

  it("rejects an unknown strategy with a suggestion", async () => {
    const { loadPlaybook } = await import('../../src/loader/load-playbook.js');
    const { stepRegistry } = await import('../../src/steps/registry.js');
    const r = loadPlaybook('t.yml', 'name: t\nplays:\n  - name: p\n    hosts: all\n    strategy: fre\n    steps: [{name: a, log: x}]\n', { steps: stepRegistry });
    expect(r.ok).to.equal(false);
    if (!r.ok) expect(r.problems.items[0]!.message).to.include("did you mean 'free'");
  });
});
