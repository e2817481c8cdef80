// `--output json`: one JSON object per event, per line (NDJSON). Events are already masked. Just before
// `run-end` comes a `run-summary` object: every failure (with its failed units) and every warning.

import type { RunEvent } from '../engine/events.js';
import { RunRecord } from './run-record.js';
import { summaryEvent } from './summary.js';

export function jsonRenderer(write: (text: string) => void): (e: RunEvent) => void {
  const record = new RunRecord();
  return (e) => {
    record.add(e);
    if (e.type === 'run-end') write(`${JSON.stringify(summaryEvent(record))}\n`);
    write(`${JSON.stringify(e)}\n`);
  };
}
