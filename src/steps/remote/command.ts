// Shared by `shell` (on a host) and `local` (on the runner): guards, become, cwd, env, streaming of
// output lines, ok_codes and the registered result (rc, stdout, stderr, lines).

import type { RemoteTransport } from '../../transports/types.js';
import { StepFailedError, type ArgSpec, type StepContext, type StepOutcome } from '../types.js';
import { shellQuote } from '../../util/shell-quote.js';

export interface CommandArgs {
  command: string;
  stdin?: string;
  env?: Record<string, unknown>;
  cwd?: string;
  become?: boolean;
  become_user?: string;
  become_password?: string;
  creates?: string;
  removes?: string;
  ok_codes?: number[];
}

export const COMMAND_ARGS: Readonly<Record<string, ArgSpec>> = {
  command: { type: 'string', required: true, description: 'command line run by the shell (use {{quote x}} for values)' },
  stdin: { type: 'string', description: 'text written to the command\'s standard input' },
  env: { type: 'map', description: 'environment variables for the command' },
  cwd: { type: 'string', description: 'working directory' },
  become: { type: 'boolean', description: 'run through sudo (password from become_password or the inventory, never on argv)' },
  become_user: { type: 'string', description: 'sudo target user (default root)' },
  become_password: { type: 'string', description: 'sudo password (use a secret)' },
  creates: { type: 'string', description: 'skip when this path exists' },
  removes: { type: 'string', description: 'skip unless this path exists' },
  ok_codes: { type: 'list', description: 'exit codes that count as success (default [0])' },
};

export function buildCommand(args: CommandArgs, becomePassword: string | undefined): { command: string; stdin?: string } {
  let cmd = args.command;
  if (args.cwd !== undefined) cmd = `cd ${shellQuote(args.cwd)} && ${cmd}`;
  if (!args.become) return args.stdin === undefined ? { command: cmd } : { command: cmd, stdin: args.stdin };
  const user = shellQuote(args.become_user ?? 'root');
  if (becomePassword === undefined) {
    const command = `sudo -n -H -u ${user} -- /bin/sh -c ${shellQuote(cmd)}`;
    return args.stdin === undefined ? { command } : { command, stdin: args.stdin };
  }
  // the password goes to sudo on stdin (-S) with an empty prompt, never on the command line
  return { command: `sudo -S -p '' -H -u ${user} -- /bin/sh -c ${shellQuote(cmd)}`, stdin: `${becomePassword}\n${args.stdin ?? ''}` };
}

export async function guardSkip(transport: RemoteTransport, args: CommandArgs): Promise<string | undefined> {
  if (args.creates !== undefined && (await exists(transport, args.creates))) return `skipped: ${args.creates} exists`;
  if (args.removes !== undefined && !(await exists(transport, args.removes))) return `skipped: ${args.removes} does not exist`;
  return undefined;
}

async function exists(transport: RemoteTransport, path: string): Promise<boolean> {
  const r = await transport.exec(`test -e ${shellQuote(path)}`);
  return r.rc === 0;
}

/** Splits streamed chunks into lines and reports each complete line. */
export function lineSplitter(emit: (line: string) => void): { push(chunk: string): void; flush(): void } {
  let buf = '';
  return {
    push(chunk) {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        emit(buf.slice(0, i).replace(/\r$/, ''));
        buf = buf.slice(i + 1);
      }
    },
    flush() {
      if (buf.length > 0) emit(buf);
      buf = '';
    },
  };
}

export async function runCommand(ctx: StepContext, transport: RemoteTransport, args: CommandArgs): Promise<StepOutcome> {
  const skip = await guardSkip(transport, args);
  if (skip !== undefined) return { changed: false, msg: skip, result: { skipped: true, rc: null, stdout: '', stderr: '', lines: [] } };
  const becomePassword = args.become_password ?? ctx.host.becomePassword ?? ctx.host.password;
  if (args.become && becomePassword) ctx.secrets.add(becomePassword);
  const built = buildCommand(args, args.become ? becomePassword : undefined);
  const env = args.env ? Object.fromEntries(Object.entries(args.env).map(([k, v]) => [k, String(v)])) : undefined;
  const out = lineSplitter((l) => ctx.output(l, 'stdout'));
  const err = lineSplitter((l) => ctx.output(l, 'stderr'));
  const res = await transport.exec(built.command, {
    ...(built.stdin !== undefined ? { stdin: built.stdin } : {}),
    ...(env ? { env } : {}),
    signal: ctx.signal,
    ...(ctx.timeoutMs !== undefined ? { timeoutMs: ctx.timeoutMs } : {}),
    onStdout: (c) => out.push(c),
    onStderr: (c) => err.push(c),
  });
  out.flush();
  err.flush();
  const stdout = res.stdout.replace(/\n$/, '');
  const result = { rc: res.rc, signal: res.signal, stdout, stderr: res.stderr.replace(/\n$/, ''), lines: stdout === '' ? [] : stdout.split('\n') };
  const okCodes = args.ok_codes ?? [0];
  if (res.rc === null || !okCodes.includes(res.rc)) {
    const last = (res.stderr.trim() || res.stdout.trim()).split('\n').slice(-1)[0] ?? '';
    throw new StepFailedError(`${res.rc === null ? `killed by signal ${res.signal}` : `exit code ${res.rc}`}${last ? `: ${last}` : ''}`, result);
  }
  return { changed: true, result };
}

export async function planCommand(transport: RemoteTransport, args: CommandArgs, where: string): Promise<StepOutcome> {
  const skip = await guardSkip(transport, args);
  if (skip !== undefined) return { changed: false, msg: skip, plan: skip, result: { skipped: true } };
  return { changed: true, plan: `would run on ${where}: ${args.become ? 'sudo ' : ''}${args.command}` };
}
