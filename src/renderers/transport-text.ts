// The transports' own events (SSH connections, API calls, job polls) as text for the task list and the
// plain output, by verbosity (-v, -vv). The events are masked already; the JSON output leaves them out.

import type { TransportEvent } from '../engine/events.js';

/**
 * A transport event as a line, by verbosity: 0 (the task list's default) what an operator waits on —
 * connects, failures, host keys recorded, drops, API retries, re-logins; 1 (-v) also connects done,
 * closes and first logins; 2 (-vv) every API call (masked as sent), response and job poll.
 */
export function transportLine(e: TransportEvent, verbosity = 0): string | undefined {
  switch (e.kind) {
    case 'ssh-connect':
      return `${e.reconnect ? 'reconnecting' : 'connecting'} to ${e.address}:${e.port}${e.via ? ` via ${e.via}` : ''}…`;
    case 'ssh-connected':
      return verbosity >= 1 ? `connected in ${e.durationMs}ms` : undefined;
    case 'ssh-connect-failed':
      return `cannot connect: ${e.message}`;
    case 'ssh-host-key-accepted':
      return `host key recorded (${e.keyType} ${e.fingerprint}) in ${e.file}`;
    case 'ssh-disconnect':
      return e.reason === 'dropped' ? 'connection dropped' : verbosity >= 1 ? 'connection closed' : undefined;
    case 'api-retry':
      return `${e.command}: ${e.reason}, retrying (attempt ${e.attempt + 1})`;
    case 'api-login':
      return e.relogin ? `session expired: logging in again as ${e.username}` : verbosity >= 1 ? `logged in as ${e.username}` : undefined;
    case 'api-call':
      return verbosity >= 2 ? `API ${e.request}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''} [${e.mode}]` : undefined;
    case 'api-response':
      return verbosity >= 2 ? `API ${e.command} → HTTP ${e.status}` : undefined;
    case 'job-poll':
      return verbosity >= 2 ? `job ${e.jobid} (${e.command}): status ${e.jobstatus}, poll ${e.polls}` : undefined;
  }
}
