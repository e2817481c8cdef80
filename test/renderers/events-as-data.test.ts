// The renderers read the events' data, not their prose: a step's message comes from its outcome, the
// tree from parent ids (not from the shape of step ids), loop progress from its numbers. Journals of
// earlier versions are read as today's events. Transport events reach the task list, not the JSON stream.

import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunEvent } from '../../src/engine/events.js';
import { readRun } from '../../src/journal/read.js';
import { jsonRenderer } from '../../src/renderers/json.js';
import { plainRenderer } from '../../src/renderers/plain.js';
import { recordOf } from '../../src/renderers/run-record.js';
import { noStyle } from '../../src/renderers/style.js';
import { formatSummary } from '../../src/renderers/summary.js';
import { transportLine } from '../../src/renderers/transport-text.js';

type End = Extract<RunEvent, { type: 'step-end' }>;
const base = { play: 1, host: 'h1', phase: 'main', ignored: false, durationMs: 0 } as const;

function plain(events: readonly RunEvent[]): string {
  let out = '';
  const r = plainRenderer((t) => (out += t), noStyle);
  for (const e of events) r(e);
  return out;
}

describe('renderers: events as data', () => {
  it("a step's line says what its outcome says", () => {
    const end: End = {
      type: 'step-end', stepId: 'a', name: 'probe', status: 'failed', ...base,
      outcome: { kind: 'failed', error: { kind: 'cloudstack', code: 'api-431', endpoint: 'ms1', command: 'listRouters', message: 'listRouters on ms1 failed (HTTP 431)', pos: null } },
    };
    expect(plain([end])).to.include('failed  h1  probe: listRouters on ms1 failed (HTTP 431)');
  });

  it('the tree comes from parent ids: a failure rescued inside a block is handled whatever the ids look like', () => {
    const start = (stepId: string, name: string, parentId?: string): RunEvent =>
      ({ type: 'step-start', stepId, name, stepType: 'x', ...base, ...(parentId ? { parentId } : {}) });
    const r = recordOf([
      start('blk', 'guarded'),
      start('in1', 'boom', 'blk'),
      { type: 'step-end', stepId: 'in1', name: 'boom', parentId: 'blk', status: 'failed', msg: 'broken', outcome: { kind: 'failed', error: { kind: 'step', code: 'step-failed', message: 'broken', pos: null } }, ...base },
      start('in2', 'mend', 'blk'),
      { type: 'step-end', stepId: 'in2', name: 'mend', parentId: 'blk', status: 'ok', outcome: { kind: 'ok' }, ...base, phase: 'rescue' },
      { type: 'step-end', stepId: 'blk', name: 'guarded', status: 'ok', msg: 'rescued', outcome: { kind: 'ok', message: 'rescued' }, ...base },
    ]);
    expect(r.failures.map((f) => r.handledAs(f))).to.deep.equal(['rescued']);
    expect(formatSummary(r, noStyle)[0]).to.equal('FAILURES HANDLED (1, by rescue or ignore_errors)');
  });

  it('plain output leaves out the progress of loop items that went well, known by its data', () => {
    const progress = (message: string, status: 'ok' | 'failed'): RunEvent =>
      ({ type: 'step-progress', stepId: 'a', host: 'h1', message, progress: { kind: 'item', index: 1, total: 2, status } });
    const out = plain([progress('router r-1 rebooted', 'ok'), progress('router r-2 did not come back', 'failed')]);
    expect(out).to.not.include('r-1');
    expect(out).to.include('router r-2 did not come back');
  });

  it('a journal of an earlier version (no outcome, no parent ids) is read as today’s events', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stackplay-oldjournal-'));
    try {
      const old = [
        { t: 'run', runId: 'r1', playbook: 'p.yml', inventory: null, extraArgs: [], cwd: '/', started: '2026-01-01T00:00:00Z' },
        { t: 'event', e: { type: 'step-start', play: 0, stepId: '0.1.b.1', name: 'boom', stepType: 'fail', host: 'h1', phase: 'main' } },
        { t: 'event', e: { type: 'step-end', play: 0, stepId: '0.1.b.1', name: 'boom', host: 'h1', phase: 'main', status: 'failed', ignored: false, msg: 'broken', durationMs: 1 } },
        { t: 'event', e: { type: 'step-end', play: 0, stepId: '0.1', name: 'B', host: 'h1', phase: 'main', status: 'ok', ignored: false, msg: 'rescued', durationMs: 1 } },
        { t: 'event', e: { type: 'step-end', play: 0, stepId: '0.2', name: 'skip', host: 'h1', phase: 'main', status: 'skipped', ignored: false, msg: 'done before the interruption', durationMs: 0 } },
      ];
      writeFileSync(join(dir, 'r1.jsonl'), old.map((r) => JSON.stringify(r)).join('\n') + '\n');
      const events = readRun(join(dir, 'r1.jsonl')).records.flatMap((r) => (r.t === 'event' ? [r.e] : []));
      const ends = events.filter((e): e is End => e.type === 'step-end');
      expect(ends.map((e) => e.outcome)).to.deep.equal([
        { kind: 'failed', error: { kind: 'step', code: 'recorded', message: 'broken', pos: null } },
        { kind: 'ok', message: 'rescued' },
        { kind: 'skipped', reason: 'resumed', message: 'done before the interruption' },
      ]);
      expect(ends[0]!.parentId).to.equal('0.1');
      const r = recordOf(events);
      expect(r.failures.map((f) => r.handledAs(f))).to.deep.equal(['rescued']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('transport events: the task list says what a connection does; the JSON stream leaves them out', () => {
    expect(transportLine({ kind: 'ssh-connect', address: '10.0.0.5', port: 22, via: 'bastion', reconnect: true })).to.equal('reconnecting to 10.0.0.5:22 via bastion…');
    expect(transportLine({ kind: 'api-retry', command: 'listRouters', attempt: 1, delayMs: 2000, reason: 'refused' })).to.equal('listRouters: refused, retrying (attempt 2)');
    expect(transportLine({ kind: 'job-poll', command: 'rebootRouter', jobid: 'j', jobstatus: 0, polls: 3 })).to.equal(undefined);
    let out = '';
    const json = jsonRenderer((t) => (out += t));
    json({ type: 'transport', host: 'h1', event: { kind: 'ssh-connected', durationMs: 3 } });
    json({ type: 'warning', message: 'w' });
    expect(out.trim().split('\n').map((l) => (JSON.parse(l) as { type: string }).type)).to.deep.equal(['warning']);
  });
});
