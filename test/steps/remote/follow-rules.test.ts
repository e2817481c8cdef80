import { expect } from 'chai';
import { compileRules, LineTracker, ruleProblems } from '../../../src/steps/remote/follow-rules.js';
import type { SubtaskStatus } from '../../../src/steps/types.js';

function tracker(progress: unknown, success?: unknown, failure?: unknown) {
  const log: string[] = [];
  const t = new LineTracker(compileRules(progress, success, failure), {
    progress: (m) => log.push(`progress ${m}`),
    subtask: (id, title) => {
      log.push(`subtask ${id} ${title}`);
      return { update: (s: SubtaskStatus, m?: string) => void log.push(`${id} ${s}${m ? ` ${m}` : ''}`) };
    },
  });
  return { t, log };
}

describe('follow line rules', () => {
  it('count: adds one per matching line, per phase and in total; placeholders fill from groups and the line', () => {
    const { t, log } = tracker([
      { pattern: '^== (?<name>\\w+) ==$', message: 'phase {name}', phase: true },
      { pattern: 'restarted (?<id>r-\\d+)', message: '{id} ok ({line})', count: 'done' },
    ], undefined, ['^ERROR']);
    for (const l of ['== routers ==', 'restarted r-1', 'ERROR r-2', 'restarted r-3', '== vpcs ==', 'restarted r-9']) t.line(l);
    t.finish(true);
    expect(t.counts).to.deep.equal({ done: 3, failures: 1 });
    expect(t.phases()).to.deep.equal([
      { title: 'phase routers', counts: { done: 2 }, failed: 1 },
      { title: 'phase vpcs', counts: { done: 1 }, failed: 0 },
    ]);
    expect(log).to.include('progress phase routers: r-1 ok (restarted r-1)');
    expect(log).to.include('phase-1 failed done 2, 1 failed');
    expect(log[log.length - 1]).to.equal('phase-2 ok done 1');
  });

  it('reports success patterns that never matched, and the open phase fails when the command failed', () => {
    const { t, log } = tracker([{ pattern: 'start', phase: true }], ['^Done', 'finished'], []);
    t.line('start');
    t.line('finished');
    t.finish(false);
    expect(t.missingSuccess()).to.deep.equal(['^Done']);
    expect(log[log.length - 1]).to.equal('phase-1 failed');
  });

  it('rejects bad regexes with where they are, statically and at run time', () => {
    expect(ruleProblems([{ pattern: '(' }], 'ok', ['[', '{{templated('])).to.deep.equal([
      { arg: 'progress', message: 'invalid regex /(/: Invalid regular expression: /(/: Unterminated group' },
      { arg: 'failure', message: 'invalid regex /[/: Invalid regular expression: /[/: Unterminated character class' },
    ]);
    expect(() => compileRules([], undefined, ['ok', '('])).to.throw('failure[1]: invalid regex /(/');
  });
});
