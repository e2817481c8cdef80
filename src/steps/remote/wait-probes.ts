// One look at the thing `wait_for` waits on: a TCP port (from the runner, or through another host's
// SSH connection), a file on the host, or a line in a file read incrementally. A probe never throws
// for "not there yet"; it says 'yes', 'no' or 'unknown' (could not look) with a reason.

import { probeTcp } from '../../transports/tcp-probe.js';
import type { RemoteTransport } from '../../transports/types.js';
import { shellQuote } from '../../util/shell-quote.js';
import type { StepContext } from '../types.js';
import { execShell, type BecomeArgs } from './command.js';
import { completeLines } from './lines.js';
import { isPermanentSshError, isUnreachableError } from './reconnect.js';
import type { LinearMatch, LinearRegex } from '../../util/linear-regex.js';

export type ProbeAnswer =
  | { readonly kind: 'yes'; readonly detail?: string; readonly match?: LinearMatch }
  | { readonly kind: 'no'; readonly detail: string }
  | { readonly kind: 'unknown'; readonly detail: string };

/** Is host:port accepting connections, seen from the runner or from `via` (an inventory host)? */
export async function probePort(ctx: StepContext, host: string, port: number, via: string | undefined, timeoutMs: number): Promise<ProbeAnswer> {
  const where = `${host}:${port}${via ? ` (from ${via})` : ''}`;
  const probe = await probeTcp(host, port, { ...(via ? { connect: (h: string, p: number) => ctx.services.connectVia(via, h, p) } : {}), timeoutMs });
  if (probe.state === 'open') return { kind: 'yes', detail: `${where} is open` };
  if (probe.state === 'timeout') return { kind: 'no', detail: `${where}: no answer within ${timeoutMs} ms` };
  const err = probe.error;
  if (isPermanentSshError(err)) throw err;
  const message = (err as Error).message ?? String(err);
  // The SSH hop itself failing says nothing about the port: "closed" must not be concluded from it.
  if (via && isUnreachableError(err)) return { kind: 'unknown', detail: `cannot reach ${via}: ${message}` };
  return { kind: 'no', detail: `${where}: ${message}` };
}

export async function probeFile(ctx: StepContext, t: RemoteTransport, path: string, become: BecomeArgs): Promise<ProbeAnswer> {
  const r = await execShell(ctx, t, { ...become, command: `test -e ${shellQuote(path)}` });
  if (r.rc === 0) return { kind: 'yes', detail: `${path} exists` };
  if (r.rc === 1) return { kind: 'no', detail: `${path} does not exist` };
  return { kind: 'unknown', detail: `test -e ${path} exited ${r.rc}: ${r.stderr.trim()}` };
}

/** Reads a file from a byte offset on each probe and tests complete new lines against a regex. */
export class LineSearch {
  private offset = 0;

  constructor(
    private readonly path: string,
    private readonly re: LinearRegex,
    private readonly become: BecomeArgs,
  ) {}

  /** Skip what the file holds now (only lines written from here on count). */
  async skipExisting(ctx: StepContext, t: RemoteTransport): Promise<void> {
    this.offset = await this.size(ctx, t) ?? 0;
  }

  private async size(ctx: StepContext, t: RemoteTransport): Promise<number | null> {
    const r = await execShell(ctx, t, { ...this.become, command: `wc -c < ${shellQuote(this.path)}` });
    const n = Number.parseInt(r.stdout.trim(), 10);
    return r.rc === 0 && Number.isFinite(n) ? n : null;
  }

  async probe(ctx: StepContext, t: RemoteTransport): Promise<ProbeAnswer> {
    const q = shellQuote(this.path);
    const r = await execShell(ctx, t, { ...this.become, command: `tail -c +${this.offset + 1} ${q}` });
    if (r.rc !== 0) return { kind: 'no', detail: `${this.path} cannot be read yet` };
    const { lines, bytes } = completeLines(r.stdout, false);
    if (bytes === 0 && r.stdout === '') {
      // Nothing new: if the file shrank (rotated, truncated) start again from its beginning.
      const size = await this.size(ctx, t);
      if (size !== null && size < this.offset) this.offset = 0;
    }
    this.offset += bytes;
    for (const line of lines) {
      const m = this.re.exec(line);
      if (m) return { kind: 'yes', detail: line, match: m };
    }
    return { kind: 'no', detail: `no line of ${this.path} matches /${this.re.source}/ yet` };
  }
}
