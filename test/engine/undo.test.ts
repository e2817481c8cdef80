import { expect } from 'chai';
import { runYaml, play } from '../support/run-yaml.js';
import type { RunEvent } from '../../src/engine/events.js';
import { realClock } from '../../src/engine/executor.js';

const order = (events: RunEvent[]): string[] =>
  events.filter((e): e is Extract<RunEvent, { type: 'step-end' }> => e.type === 'step-end').map((e) => `${e.phase === 'undo' ? 'undo ' : ''}${e.name}:${e.status}`);

describe('executor: undo', () => {
  it('runs undo steps when the play ends successfully, newest first, with the step result', async () => {
    const { events, summary } = await runYaml(play(`
      - name: open A
        set: {a: 1}
        undo: {name: close A, log: "closing A"}
      - name: open B
        set: {b: 2}
        register: rb
        undo: {name: close B, log: "closing B after {{result.b}}"}
      - {name: work, log: w}`));
    expect(order(events)).to.deep.equal(['open A:ok', 'open B:ok', 'work:ok', 'undo close B:ok', 'undo close A:ok']);
    const out = events.filter((e) => e.type === 'step-output').map((e) => (e as { line: string }).line);
    expect(out).to.include('closing B after 2');
    expect(summary.exitCode).to.equal(0);
  });

  it('runs undo when a later step fails', async () => {
    const { events, summary } = await runYaml(play(`
      - name: open
        set: {a: 1}
        undo: {name: close, log: closing}
      - {name: boom, fail: broken}
      - {name: never, log: x}`));
    expect(order(events)).to.deep.equal(['open:ok', 'boom:failed', 'undo close:ok']);
    expect(summary.exitCode).to.equal(1);
  });

  it('runs undo when the step itself fails (the obligation exists before the step runs)', async () => {
    const { events } = await runYaml(play(`
      - name: half done
        fail: broke halfway
        undo: {name: compensate, log: compensating}`));
    expect(order(events)).to.deep.equal(['half done:failed', 'undo compensate:ok']);
  });

  it('a block-scoped undo runs when the block ends, before the next step', async () => {
    const { events } = await runYaml(play(`
      - name: B
        block:
          - name: open
            set: {a: 1}
            undo: {name: close, log: closing}
          - {name: inside, log: x}
      - {name: after, log: y}`));
    expect(order(events)).to.deep.equal(['open:ok', 'inside:ok', 'undo close:ok', 'B:ok', 'after:ok']);
  });

  it('on interrupt: no new steps start, always and undo still run, exit 130', async () => {
    const ac = new AbortController();
    const { events, summary } = await runYaml(play(`
      - name: open
        set: {a: 1}
        undo: {name: close, log: closing}
      - name: B
        block:
          - {name: slow, pause: 10s}
          - {name: not started, log: x}
        always:
          - {name: always, log: a}
      - {name: never, log: x}`), {
      interrupt: ac.signal,
      onEvent: (e) => {
        if (e.type === 'step-start' && e.name === 'slow') ac.abort();
      },
    });
    expect(order(events)).to.deep.equal(['open:ok', 'slow:ok', 'always:ok', 'B:ok', 'undo close:ok']);
    expect(summary.exitCode).to.equal(130);
    expect(events.some((e) => e.type === 'phase' && e.phase === 'interrupted')).to.equal(true);
  });

  it('an undo that fails makes the run fail and says so', async () => {
    const { events, summary } = await runYaml(play(`
      - name: open
        set: {a: 1}
        undo: {name: close, fail: cannot close}`));
    const done = events.find((e) => e.type === 'undo-done') as Extract<RunEvent, { type: 'undo-done' }>;
    expect(done.ok).to.equal(false);
    expect(summary.exitCode).to.equal(1);
  });
});

describe('executor: interrupt signal with many hosts', () => {
  it('many running commands listening to the interrupt do not trigger a listener-leak warning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => { warnings.push(`${w.name}: ${w.message}`); };
    process.on('warning', onWarning);
    try {
      // a real clock: each host's pause listens to the run's interrupt while it waits
      const hosts = Array.from({ length: 15 }, (_, i) => `  h${i}: {}`).join('\n');
      const { summary } = await runYaml(play(`
      - {name: wait a little, pause: 50ms}`, { hosts: "all" }), { inventory: `hosts:\n${hosts}\n`, forks: 15, interrupt: new AbortController().signal, clock: realClock });
      expect(summary.exitCode).to.equal(0);
      await new Promise((r) => setImmediate(r));
      expect(warnings.filter((w) => w.includes('MaxListeners'))).to.deep.equal([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
