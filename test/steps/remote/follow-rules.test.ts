import { expect } from 'chai';
import { LineTracker, RULE_ARGS, type Rules } from '../../../src/steps/remote/follow-rules.js';
import { INVALID, Pending, readValue, type Kind, type Path } from '../../../src/steps/schema/kinds.js';
import type { SubtaskStatus } from '../../../src/steps/types.js';

/** Reads an argument with follow's own schema, as the loader does (no inventory, templates are text). */
function read(name: keyof typeof RULE_ARGS, value: unknown): { value: unknown; issues: string[] } {
  const issues: string[] = [];
  const cx = { templates: false, hosts: undefined, issue: (path: Path, code: string, message: string) => void issues.push(`${path.join('.')} ${code}: ${message}`) };
  const kind: Kind<unknown> = RULE_ARGS[name].kind;
  return { value: readValue(kind, value, cx, [name]), issues };
}

function rules(progress: unknown, success: unknown = [], failure: unknown = []): Rules {
  const r = { progress: read('progress', progress).value, success: read('success', success).value, failure: read('failure', failure).value };
  for (const v of Object.values(r)) if (v === INVALID || v instanceof Pending) throw new Error('rules did not read');
  return r as unknown as Rules;
}

function tracker(progress: unknown, success?: unknown, failure?: unknown) {
  const log: string[] = [];
  const t = new LineTracker(rules(progress, success, failure), {
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
    t.finish('ok');
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
    t.finish('failed');
    expect(t.missingSuccess()).to.deep.equal(['^Done']);
    expect(log[log.length - 1]).to.equal('phase-1 failed');
  });

  it('an interrupted run ends its open phase as interrupted, not failed, and a phase does not repeat its own numbers as counts', () => {
    const { t, log } = tracker([
      { pattern: 'Stopping and starting (?<ssvms>\\d+) secondary', message: 'secondary storage VMs: {ssvms} to stop and start', phase: true },
      { pattern: 'Done (?<n>\\d+)', count: 'done' },
    ], undefined, []);
    t.line('Stopping and starting 2 secondary storage vm(s)');
    expect(log).to.include('phase-1 running');
    expect(log.filter((l) => l.includes('ssvms 2'))).to.deep.equal([]);
    t.line('Done 1');
    t.finish('interrupted');
    expect(t.counts).to.deep.equal({ ssvms: 2, n: 1, done: 1 });
    expect(log[log.length - 1]).to.equal('phase-1 interrupted n 1, done 1');
    expect(t.phases()[0]!.counts).to.deep.equal({ ssvms: 2, n: 1, done: 1 });
  });

  it('reads rules with the step schema: a lone string is a pattern, every pattern is compiled, a bad one is refused where it is', () => {
    const ok = read('progress', ['^a', { pattern: 'b(?<n>\\d+)', count: 'n' }]);
    expect(ok.issues).to.deep.equal([]);
    expect((ok.value as Array<{ pattern: RegExp }>).map((r) => r.pattern.source)).to.deep.equal(['^a', 'b(?<n>\\d+)']);
    expect(read('progress', [{ pattern: '(' }]).issues).to.deep.equal([
      'progress.0.pattern bad-value: is refused: invalid regular expression: missing closing )',
    ]);
    expect(read('failure', ['ok', '[']).issues).to.deep.equal([
      'failure.1 bad-value: is refused: invalid regular expression: missing closing ]',
    ]);
    expect(read('progress', [{ pattern: 'x', counts: 'n' }]).issues).to.deep.equal([
      "progress.0.counts unknown-argument: is not a field (pattern, message, phase, count) — did you mean 'count'?",
    ]);
    // a pattern's braces are regex syntax: follow's rules are never templates
    expect(read('success', '{{x}}{2}').issues).to.deep.equal([]);
  });
});
