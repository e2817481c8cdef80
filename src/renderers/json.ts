// `--output json`: one JSON object per event, per line (NDJSON). Events are already masked.

import type { RunEvent } from '../engine/events.js';

export function jsonRenderer(write: (text: string) => void): (e: RunEvent) => void {
  return (e) => write(`${JSON.stringify(e)}\n`);
}
