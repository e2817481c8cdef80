// Results as data: every step-end carries an outcome whose failure is a RunError with a kind, a code, a
// message and the position it belongs to; loop and retry progress come as data; nested steps name their
// parent. The message the renderers show is derived from the outcome.

import { expect } from 'chai';
import { createServer } from 'node:net';
import { runYaml, play } from '../support/run-yaml.js';
import type { Outcome, RunEvent } from '../../src/engine/events.js';

type End = Extract<RunEvent, { type: 'step-end' }>;
type Failed = Extract<Outcome, { kind: 'failed' | 'unreachable' }>;

const end = (events: RunEvent[], name: string): End => {
  const e = events.find((x): x is End => x.type === 'step-end' && x.name === name);
  if (!e) throw new Error(`no step-end for ${name}`);
  return e;
};
const failure = (e: End): Failed['error'] => {
  if (e.outcome.kind !== 'failed' && e.outcome.kind !== 'unreachable') throw new Error(`${e.name} did not fail: ${JSON.stringify(e.outcome)}`);
  return e.outcome.error;
};

/** A loopback port nothing listens on (bound once, then released). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

/** Retry delays pass at once; a long pause waits until its step's signal fires (its timeout). */
const longPausesWait = {
  now: () => Date.now(),
  sleep: (ms: number, signal?: AbortSignal): Promise<void> =>
    ms < 10_000 ? Promise.resolve() : new Promise<void>((r) => signal?.addEventListener('abort', () => r())),
};

describe('engine: outcomes and errors as data', () => {
  it('each kind of failure has its own kind, code and position', async () => {
    const { events } = await runYaml(play(`
      - {name: says no, fail: "no way", ignore_errors: true}
      - {name: by rule, local: "echo bad", register: r, failed_when: "'bad' in r.stdout", ignore_errors: true}
      - {name: never there, local: "echo no", register: u, until: "u.stdout == 'yes'", retries: 1, delay: 1ms, ignore_errors: true}
      - {name: too slow, pause: 10s, timeout: 1ms, ignore_errors: true}
      - {name: bad template, log: "{{ r.nothing.here }}", ignore_errors: true}`), { clock: longPausesWait });
    expect(failure(end(events, 'says no'))).to.deep.include({ kind: 'step', code: 'step-failed', message: 'no way', pos: { file: 't.yml', line: 7, col: 9 } });
    expect(failure(end(events, 'by rule'))).to.deep.include({ kind: 'condition', code: 'failed-when', message: "failed_when: 'bad' in r.stdout" });
    expect(failure(end(events, 'by rule')).pos).to.deep.include({ line: 8 });
    expect(failure(end(events, 'by rule')).pos!.col).to.be.greaterThan(60);
    expect(failure(end(events, 'never there'))).to.deep.include({ kind: 'condition', code: 'until', message: "'until' still false after 2 attempts" });
    expect(failure(end(events, 'too slow'))).to.deep.include({ kind: 'timeout', code: 'step-timeout', timeoutMs: 1, message: 'timed out after 0.001s' });
    const tpl = failure(end(events, 'bad template'));
    expect(tpl).to.deep.include({ kind: 'playbook', code: 'template' });
    expect(tpl.pos).to.deep.include({ file: 't.yml', line: 11 });
    // the message shown is the outcome's: the step-end's msg says the same
    for (const name of ['says no', 'by rule', 'never there', 'too slow', 'bad template']) {
      expect(end(events, name).msg).to.equal(failure(end(events, name)).message);
    }
  });

  it('an unreachable host: kind unreachable, the SSH code, the host', async () => {
    const port = await closedPort();
    const { events } = await runYaml(play(`
      - {name: remote, shell: "true"}`, { hosts: 'h1' }), { inventory: `hosts:\n  h1: {address: 127.0.0.1, port: ${port}, user: nobody}\n` });
    const e = end(events, 'remote');
    expect(e.status).to.equal('unreachable');
    expect(failure(e)).to.deep.include({ kind: 'unreachable', code: 'SSH_UNREACHABLE', host: 'h1' });
    expect(failure(e).message).to.include('connection refused');
  });

  it('skips say why, successes carry their message, a dry run its plan', async () => {
    const { events } = await runYaml(play(`
      - {name: not now, log: x, when: "1 == 2"}
      - {name: nothing to loop, log: x, loop: []}
      - {name: hello, log: "hi there"}
      - {name: pause, pause: 1s}`), { dryRun: true });
    expect(end(events, 'not now').outcome).to.deep.equal({ kind: 'skipped', reason: 'condition' });
    expect(end(events, 'nothing to loop').outcome).to.deep.equal({ kind: 'skipped', reason: 'no-items' });
    expect(end(events, 'hello').outcome).to.deep.equal({ kind: 'ok', message: 'hi there' });
    expect(end(events, 'pause').outcome).to.deep.equal({ kind: 'ok', plan: 'would pause 1.0s' });
  });

  it('loop progress and retries come as data, not only as text', async () => {
    const { events } = await runYaml(play(`
      - {name: L, log: "{{item}}", loop: [a, b, c], when: "item != 'b'"}
      - {name: R, local: "echo no", register: r, until: "r.stdout == 'yes'", retries: 1, delay: 1ms, ignore_errors: true}`));
    const progress = events.flatMap((e) => (e.type === 'step-progress' && e.progress ? [e.progress] : []));
    expect(progress).to.deep.equal([
      { kind: 'item', index: 1, total: 3, status: 'ok' },
      { kind: 'item', index: 3, total: 3, status: 'ok' },
      { kind: 'attempt', attempt: 1, attempts: 2, until: true },
    ]);
  });

  it('nested steps name their parent: block, rescue and always steps their block, undo steps their step', async () => {
    const { events } = await runYaml(play(`
      - name: outer
        block:
          - name: inner
            block:
              - {name: boom, fail: "x"}
            rescue:
              - {name: mend, log: m}
          - name: open
            log: o
            undo:
              - {name: close, log: c}
        always:
          - {name: finally, log: f}
      - {name: top, log: t}`));
    const parent = (name: string): string | undefined => end(events, name).parentId;
    const id = (name: string): string => end(events, name).stepId;
    expect(parent('outer')).to.equal(undefined);
    expect(parent('top')).to.equal(undefined);
    expect(parent('inner')).to.equal(id('outer'));
    expect(parent('boom')).to.equal(id('inner'));
    expect(parent('mend')).to.equal(id('inner'));
    expect(parent('open')).to.equal(id('outer'));
    expect(parent('close')).to.equal(id('open'));
    expect(parent('finally')).to.equal(id('outer'));
    const starts = events.filter((e) => e.type === 'step-start' && e.name === 'boom');
    expect(starts.map((e) => (e as { parentId?: string }).parentId)).to.deep.equal([id('inner')]);
    // the inner block rescued its failure; the outer block's own outcome is ok
    expect(end(events, 'inner').outcome).to.deep.equal({ kind: 'ok', message: 'rescued' });
  });

  it("a block that failed says so as a block failure (the step inside holds the message)", async () => {
    const { events } = await runYaml(play(`
      - name: B
        block:
          - {name: boom, fail: "broken"}`));
    const b = end(events, 'B');
    expect(failure(b)).to.deep.include({ kind: 'block', code: 'block-failed' });
    expect(b.msg).to.equal(undefined);
    expect(failure(end(events, 'boom')).message).to.equal('broken');
  });
});
