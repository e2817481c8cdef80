// One remote command on a session channel: waits for a free channel, streams decoded output to the
// callbacks while collecting it, and ends in exactly one way — exit status, timeout, abort, or the
// connection dropping (UnreachableError). Env goes in as an `export` prefix (sshd ignores most `env` requests).
import { StringDecoder } from 'node:string_decoder';
import type { ClientChannel } from 'ssh2';
import type { ExecOptions, ExecResult } from '../types.js';
import { ExecAbortedError, TimeoutError, UnreachableError, type SshError } from './errors.js';
import { openSessionChannel, type ChannelHost } from './channel-host.js';
import { EXEC_MARKER_VAR, newExecMarker, stopRemote } from './remote-kill.js';
import { shellQuote } from '../../util/shell-quote.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function envPrefix(env: Readonly<Record<string, string>> | undefined): string {
  if (!env) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(env)) {
    if (!ENV_NAME.test(k)) throw new TypeError(`invalid environment variable name ${JSON.stringify(k)}`);
    if (v.includes('\0')) throw new TypeError(`environment variable ${k} contains a NUL byte`);
    parts.push(`${k}=${shellQuote(v)}`);
  }
  return parts.length > 0 ? `export ${parts.join(' ')}; ` : '';
}

/**
 * EOF on the channel without ending the stream: ssh2 ends it again when the channel closes, and a second
 * end() builds an ERR_STREAM_ALREADY_FINISHED error (a stack capture) for every command.
 */
function sendEof(ch: ClientChannel): void {
  (ch as ClientChannel & { eof(): void }).eof();
}

export function runExec(host: ChannelHost, command: string, opts: ExecOptions = {}): Promise<ExecResult> {
  // The marker lets us find and stop the command's processes if it times out or is aborted.
  const marker = newExecMarker();
  const full = `export ${EXEC_MARKER_VAR}=${marker}; ${envPrefix(opts.env)}${command}`;
  return new Promise<ExecResult>((resolve, reject) => {
    let done = false;
    let channel: ClientChannel | null = null;
    let release: (() => void) | null = null;
    let rc: number | null = null;
    let sig: string | null = null;
    let stdout = '';
    let stderr = '';
    const outDec = new StringDecoder('utf8');
    const errDec = new StringDecoder('utf8');

    const cleanup = (): void => {
      done = true;
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      untrack();
      // An open channel keeps its slot until its close arrives (sshd still counts the session until then).
      if (!channel) release?.();
    };
    const fail = (err: SshError): void => {
      if (done) return;
      cleanup();
      if (channel) void stopRemote(host, channel, marker);
      reject(err);
    };
    const onAbort = (): void => fail(new ExecAbortedError(host.hostName, opts.signal?.reason));
    const deadAlready = host.deadError();
    if (deadAlready) return reject(deadAlready);
    if (opts.signal?.aborted) return reject(new ExecAbortedError(host.hostName, opts.signal.reason));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = opts.timeoutMs !== undefined
      ? setTimeout(() => fail(new TimeoutError(host.hostName, opts.timeoutMs ?? 0)), opts.timeoutMs)
      : null;
    const untrack = host.track(fail);

    const onOpen = (ch: ClientChannel, rel: () => void): void => {
        release = rel;
        if (done) {
          // ssh2 emits 'close' only after the readable side ended, which needs the stream to flow.
          ch.resume();
          ch.stderr.resume();
          ch.once('close', rel);
          sendEof(ch); // as for any command: no input will follow
          void stopRemote(host, ch, marker);
          return;
        }
        channel = ch;
        ch.on('data', (b: Buffer) => {
          const s = outDec.write(b);
          if (s === '') return;
          stdout += s;
          opts.onStdout?.(s);
        });
        ch.stderr.on('data', (b: Buffer) => {
          const s = errDec.write(b);
          if (s === '') return;
          stderr += s;
          opts.onStderr?.(s);
        });
        ch.on('exit', (code: number | null, signalName?: string) => {
          if (typeof code === 'number') rc = code;
          else if (typeof signalName === 'string') sig = signalName.replace(/^SIG/, '');
        });
        ch.on('close', () => {
          release?.();
          if (done) return;
          const dead = host.deadError();
          if (dead && rc === null && sig === null) return fail(dead);
          const outTail = outDec.end();
          const errTail = errDec.end();
          if (outTail) { stdout += outTail; opts.onStdout?.(outTail); }
          if (errTail) { stderr += errTail; opts.onStderr?.(errTail); }
          cleanup();
          resolve({ rc, signal: sig, stdout, stderr });
        });
        if (opts.stdin !== undefined) ch.end(opts.stdin);
        else sendEof(ch);
    };
    openSessionChannel<ClientChannel>(host, (cb) => host.client.exec(full, opts.pty ? { pty: true } : {}, cb), () => done, onOpen)
      .catch((err: Error) => {
        fail(host.deadError() ?? new UnreachableError(host.hostName, 'other',
          `cannot open a session channel on ${host.hostName}: ${err.message}`, { cause: err }));
      });
  });
}
