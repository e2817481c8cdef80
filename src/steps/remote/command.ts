// Shared by `shell` (on a host), `local` (on the runner) and the other remote steps: guards, become,
// cwd, env, streaming of output lines, ok_codes and the registered result (rc, stdout, stderr, lines).

import { isUnknown } from '../../expr/unknown.js';
import type { ExecResult, RemoteTransport } from '../../transports/types.js';
import { StepFailedError, type StepContext, type StepOutcome } from '../types.js';
import { shellQuote } from '../../util/shell-quote.js';
import { arg } from '../schema/arg.js';
import { allKnown, firstUnknown, type ArgsOf, type Maybe } from '../schema/schema.js';
import { lineSplitter } from './lines.js';

export { lineSplitter } from './lines.js';

/** What `become` needs, shared by every step that runs commands (shell, service, copy, …). */
export const BECOME_ARGS = {
  become: arg.bool('run through sudo (password from become_password or the inventory, never on argv)'),
  become_user: arg.string('sudo target user (default root)'),
  become_password: arg.string('sudo password (use a secret); sent on stdin'),
};
export type BecomeArgs = ArgsOf<typeof BECOME_ARGS>;

export const ENV_ARG = arg.map(arg.string(), 'environment variables for the command (visible in ps: no secrets, use stdin)', {
  keys: { pattern: /^[A-Za-z_][A-Za-z0-9_]*$/, what: 'an environment variable name (letters, digits, _)' },
});

export const COMMAND_ARGS = {
  command: arg.string('command line run by the shell (use {{quote x}} for values)').required(),
  stdin: arg.string("text written to the command's standard input"),
  env: ENV_ARG,
  cwd: arg.string('working directory'),
  ...BECOME_ARGS,
  creates: arg.string('skip when this path exists'),
  removes: arg.string('skip unless this path exists'),
  ok_codes: arg.list(arg.int(), 'exit codes that count as success').default([0]),
};
export type CommandArgs = ArgsOf<typeof COMMAND_ARGS>;

/** What `shell` and `local` register. */
export const COMMAND_RESULT = {
  rc: ['integer or null', 'exit code (null when a signal ended the command)'],
  signal: ['string or null', 'the signal that ended the command'],
  stdout: ['string', 'standard output, final newline removed'],
  stderr: ['string', 'standard error, final newline removed'],
  lines: ['list of strings', 'the lines of stdout'],
  skipped: ['boolean', 'true when creates/removes skipped the command'],
} as const;

/** A command as the shell helpers run it: steps build these for their own commands too. */
export interface ShellCommand extends BecomeArgs {
  readonly command: string;
  readonly stdin?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

function envPrefix(env: Readonly<Record<string, string>> | undefined): string {
  if (!env) return '';
  const parts = Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`);
  return parts.length > 0 ? `export ${parts.join(' ')}; ` : '';
}

export interface BuiltCommand {
  readonly command: string;
  readonly stdin?: string;
}

/**
 * The command line sent to the host. With `become`, env and cwd go inside the sudo'd shell (sudo
 * resets the environment, and the directory may be readable only by the target user). A password goes
 * to sudo on stdin, never on argv; when sudo turns out not to need it (root, NOPASSWD, cached
 * credentials), the script consumes the password line itself so the command never reads it.
 */
export function buildCommand(args: ShellCommand, becomePassword: string | undefined): BuiltCommand {
  let script = args.command;
  if (args.cwd !== undefined) script = `cd ${shellQuote(args.cwd)} && ${script}`;
  script = envPrefix(args.env) + script;
  const withStdin = (command: string, stdin: string | undefined): BuiltCommand => (stdin === undefined ? { command } : { command, stdin });
  if (!args.become) return withStdin(script, args.stdin);
  const user = shellQuote(args.become_user ?? 'root');
  const inner = `/bin/sh -c ${shellQuote(script)}`;
  if (becomePassword === undefined) return withStdin(`sudo -n -H -u ${user} -- ${inner}`, args.stdin);
  const command = `if sudo -n -u ${user} true 2>/dev/null; then IFS= read -r _ || :; exec sudo -n -H -u ${user} -- ${inner}; `
    + `else exec sudo -S -p '' -H -u ${user} -- ${inner}; fi`;
  return withStdin(command, `${becomePassword}\n${args.stdin ?? ''}`);
}

/** The sudo password for a step: its own argument, else the inventory's; registered as a secret. */
export function becomePasswordFor(ctx: StepContext, args: BecomeArgs): string | undefined {
  if (!args.become) return undefined;
  const pw = args.become_password ?? ctx.host.becomePassword ?? ctx.host.password;
  if (pw) ctx.secrets.add(pw);
  return pw || undefined;
}

export interface ExecShellOptions {
  /** Send output lines to ctx.output as they arrive. */
  readonly stream?: boolean;
  readonly timeoutMs?: number;
}

/** Runs a command (become, env, cwd applied); a non-zero rc is returned, not thrown. */
export async function execShell(ctx: StepContext, transport: RemoteTransport, args: ShellCommand, o: ExecShellOptions = {}): Promise<ExecResult> {
  const built = buildCommand(args, becomePasswordFor(ctx, args));
  const out = lineSplitter((l) => ctx.output(l, 'stdout'));
  const err = lineSplitter((l) => ctx.output(l, 'stderr'));
  const timeoutMs = o.timeoutMs ?? ctx.timeoutMs;
  const res = await transport.exec(built.command, {
    ...(built.stdin !== undefined ? { stdin: built.stdin } : {}),
    signal: ctx.signal,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(o.stream ? { onStdout: (c: string) => out.push(c), onStderr: (c: string) => err.push(c) } : {}),
  });
  out.flush();
  err.flush();
  return res;
}

/** What creates/removes are evaluated with: the paths, the directory and become of the command. */
type Guards = Pick<CommandArgs, 'creates' | 'removes' | 'cwd' | 'become' | 'become_user' | 'become_password'>;

/** Evaluates creates/removes (with become when set: the path may be visible only to root). */
export async function guardSkip(transport: RemoteTransport, args: Guards, ctx?: StepContext): Promise<string | undefined> {
  // A relative path is relative to cwd, as it is for the command itself.
  const exists = async (path: string): Promise<boolean> => {
    const test = `test -e ${shellQuote(path)}`;
    if (!ctx) return (await transport.exec(args.cwd !== undefined ? `cd ${shellQuote(args.cwd)} && ${test}` : test)).rc === 0;
    const guard: ShellCommand = { command: test, become: args.become, become_user: args.become_user, become_password: args.become_password };
    return (await execShell(ctx, transport, args.cwd !== undefined ? { ...guard, cwd: args.cwd } : guard)).rc === 0;
  };
  if (args.creates !== undefined && (await exists(args.creates))) return `skipped: ${args.creates} exists`;
  if (args.removes !== undefined && !(await exists(args.removes))) return `skipped: ${args.removes} does not exist`;
  return undefined;
}

function trimNl(s: string): string {
  return s.replace(/\n$/, '');
}

/** The last meaningful output line, for the failure message. */
export function lastLine(res: ExecResult): string {
  return (res.stderr.trim() || res.stdout.trim()).split('\n').slice(-1)[0] ?? '';
}

export async function runCommand(ctx: StepContext, transport: RemoteTransport, args: CommandArgs): Promise<StepOutcome> {
  const skip = await guardSkip(transport, args, ctx);
  if (skip !== undefined) return { changed: false, msg: skip, result: { skipped: true, rc: null, stdout: '', stderr: '', lines: [] } };
  const res = await execShell(ctx, transport, args, { stream: true });
  const stdout = trimNl(res.stdout);
  const result = { rc: res.rc, signal: res.signal, stdout, stderr: trimNl(res.stderr), lines: stdout === '' ? [] : stdout.split('\n') };
  if (res.rc === null || !args.ok_codes.includes(res.rc)) {
    const last = lastLine(res);
    throw new StepFailedError(`${res.rc === null ? `killed by signal ${res.signal}` : `exit code ${res.rc}`}${last ? `: ${last}` : ''}`, result);
  }
  return { changed: true, result };
}

/** Dry run: guards are evaluated live; the plan shows the rendered command. */
export async function planCommand(transport: RemoteTransport, args: Maybe<CommandArgs>, where: string, ctx?: StepContext): Promise<StepOutcome> {
  const { command, ...rest } = args;
  if (!allKnown(rest)) {
    const u = firstUnknown(rest)!;
    return { changed: true, unknown: `${u.name} is unknown in a dry run: ${u.reason}`, plan: `would run on ${where} unless ${u.name} says otherwise` };
  }
  const skip = await guardSkip(transport, rest, ctx);
  if (skip !== undefined) return { changed: false, msg: skip, plan: skip, result: { skipped: true } };
  const cmd = isUnknown(command) ? `<unknown until run: ${command.reason}>` : command;
  return { changed: true, plan: `would run on ${where}: ${rest.become ? 'sudo ' : ''}${cmd}` };
}
