// Stopping the remote command of an exec that timed out or was aborted. Closing the channel is not
// enough: sshd keeps a non-pty command running (and its session counted) until it exits, and it
// refuses `signal` requests for root logins (no post-auth privilege separation). So we send TERM the
// polite way and also find the command's processes by a marker in their environment.
import { randomBytes } from 'node:crypto';
import type { ClientChannel } from 'ssh2';
import type { ChannelHost } from './channel-host.js';

export const EXEC_MARKER_VAR = 'STACKPLAY_EXEC_ID';

// A random prefix per process and a counter: unique per exec, without a call into the random source
// for every command (it showed in profiles of many short commands). Fixed width, so that no marker is
// a prefix of another (the killer finds processes by substring).
let markerPrefix: string | undefined;
let markerCount = 0;

export function newExecMarker(): string {
  markerPrefix ??= randomBytes(6).toString('hex');
  markerCount += 1;
  return `${markerPrefix}${markerCount.toString(16).padStart(10, '0')}`;
}

/** ssh2 will not send a signal once we sent EOF (RFC 4254 allows it): talk to its protocol object directly. */
function sendSignal(ch: ClientChannel, name: string): void {
  const c = ch as unknown as { outgoing?: { state?: string; id?: number }; _client?: { _protocol?: { signal(id: number, s: string): void } } };
  const state = c.outgoing?.state;
  if ((state === 'open' || state === 'eof') && typeof c.outgoing?.id === 'number') {
    try { c._client?._protocol?.signal(c.outgoing.id, name); } catch { /* connection going away */ }
  }
}

/**
 * POSIX sh snippet (Linux /proc) that finds the processes carrying `VAR=marker` in their environment or
 * command line and signals them: TERM, then KILL after `graceS` s. sshd starts each exec in its own
 * session whose leader is our command's shell, so when the session leader carries the marker the
 * whole session goes (the top shell and every child); otherwise only the marked processes. The
 * killer's own session is skipped (its grep and command line carry the marker too).
 */
function killByMarkerScript(marker: string, graceS: number): string {
  const m = `${EXEC_MARKER_VAR}=${marker}`;
  return [
    `m='${m}'`,
    'read -r l < /proc/$$/stat; set -- ${l##*) }; me=$4; sids=; pids=',
    'for f in $(grep -la "$m" /proc/[0-9]*/environ /proc/[0-9]*/cmdline 2>/dev/null); do',
    '  d=${f%/*}; { read -r l < "$d/stat"; } 2>/dev/null || continue; set -- ${l##*) }',
    '  [ "$4" = "$me" ] && continue',
    '  if grep -qa "$m" "/proc/$4/cmdline" "/proc/$4/environ" 2>/dev/null; then sids="$sids $4"; else pids="$pids ${d#/proc/}"; fi',
    'done',
    'k() { sig=$1; [ -n "$pids" ] && kill -"$sig" $pids 2>/dev/null; for d in /proc/[0-9]*; do ' +
      '{ read -r l < "$d/stat"; } 2>/dev/null || continue; set -- ${l##*) }; ' +
      'for t in $sids; do if [ "$4" = "$t" ]; then kill -"$sig" "${d#/proc/}" 2>/dev/null; fi; done; done; }',
    `if [ -n "$sids$pids" ]; then k TERM; sleep ${graceS}; k KILL; fi; exit 0`,
  ].join('\n');
}

const KILL_GRACE_S = 2;

/**
 * Best effort: signal request + kill by marker on a side channel (not counted by the limiter: sshd's
 * MaxSessions leaves room above our default), then close the channel. The returned promise settles
 * once the killer was started (it then runs on its own, even if we disconnect) or could not be.
 */
export function stopRemote(host: ChannelHost, ch: ClientChannel, marker: string): Promise<void> {
  sendSignal(ch, 'TERM');
  let started: Promise<void> = Promise.resolve();
  if (host.connected) {
    started = new Promise<void>((resolve) => {
      try {
        host.client.exec(killByMarkerScript(marker, KILL_GRACE_S), (err, killer) => {
          resolve();
          if (err) return;
          killer.on('error', () => undefined);
          killer.resume();
          killer.stderr.resume();
          killer.end();
        });
      } catch {
        resolve(); // connection going away
      }
    });
    host.noteCleanup(started);
  }
  try { ch.close(); } catch { /* already closed */ }
  return started;
}
