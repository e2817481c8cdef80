// `--output json`: one JSON object per event, per line (NDJSON). Events are already masked. Just before
// `run-end` comes a `run-summary` object: every failure (with its failed units) and every warning.
// The transports' own events (every connection and API call) are left out: they are for the task list
// and programmatic sinks, and would outweigh everything else in a run over a thousand routers.

import type { RunEvent } from '../engine/events.js';
import { RunRecord } from './run-record.js';
import { summaryEvent } from './summary.js';

/**
 * The version of the event format, on every line: it grows when fields are added and a reader may
 * ignore what it does not know; it changes meaning only with a new number (docs/dev/architecture.md).
 */
export const JSON_SCHEMA_VERSION = 1;

const line = (o: object): string => `${JSON.stringify({ schema_version: JSON_SCHEMA_VERSION, ...o })}\n`;

export function jsonRenderer(write: (text: string) => void): (e: RunEvent) => void {
  const record = new RunRecord();
  return (e) => {
    if (e.type === 'transport') return;
    record.add(e);
    if (e.type === 'run-end') write(line(summaryEvent(record)));
    write(line(e));
  };
}
