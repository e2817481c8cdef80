// --step through the application layer: the question queue belongs to one run. It was one queue for
// the whole process, so a run waiting for its operator held every other run of the process (a service
// that hosts several runs, or tests) behind its unanswered question.

import { expect } from 'chai';
import { run } from '../../src/app/index.js';
import { SecretRegistry } from '../../src/secrets/masker.js';
import { instantClock } from '../support/run-yaml.js';

const PLAYBOOK = ['name: t', 'plays:', '  - name: p', '    hosts: localhost', '    steps:', '      - {name: Write something, local: "true"}', ''].join('\n');

describe('--step questions per run', function () {
  this.timeout(30_000);

  it('a run waiting for its answer does not hold the questions of another run in the same process', async () => {
    const stuck = new AbortController();
    const asked: string[] = [];
    let firstAsked!: () => void;
    const firstIsWaiting = new Promise<void>((r) => (firstAsked = r));
    const start = (runId: string, ask: (q: string, signal: AbortSignal) => Promise<string | null>) =>
      run({ playbook: { file: `${runId}.yml`, text: PLAYBOOK }, runId, confirmWrites: true, dryRun: false },
        { secrets: new SecretRegistry(), clock: instantClock, ask, signal: runId === 'first' ? stuck.signal : new AbortController().signal, sink: () => undefined });
    // the first run's operator never answers (until the test ends it)
    const first = start('first', (q, signal) => {
      asked.push(`first: ${q}`);
      firstAsked();
      return new Promise((resolve) => signal.addEventListener('abort', () => resolve(null), { once: true }));
    });
    await firstIsWaiting;
    const second = await start('second', async (q) => {
      asked.push(`second: ${q}`);
      return 'y';
    });
    expect(second.status).to.equal('ok');
    expect(asked.map((a) => a.split(':')[0])).to.deep.equal(['first', 'second']);
    stuck.abort();
    expect((await first).status).to.equal('interrupted');
  });
});
