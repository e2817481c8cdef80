// `--output json`: one JSON object per event, per line (NDJSON). Events are already masked. Just before
// `run-end` comes a `run-summary` object: every failure (with its failed units) and every warning.
// The transports' own events (every connection and API call) are left out: they are for the task list
// and programmatic sinks, and would outweigh everything else in a run over a thousand routers.

import type { RunEvent } from '../engine/events.js';
import { RunRecord } from './run-record.js';
import { summaryEvent } from './summary.js';

export function jsonRenderer(write: (text: string) => void): (e: RunEvent) => void {
  const record = new RunRecord();
  return (e) => {
    if (e.type === 'transport') return;
    record.add(e);
    if (e.type === 'run-end') write(`${JSON.stringify(summaryEvent(record))}\n`);
    write(`${JSON.stringify(e)}\n`);
  };
}
