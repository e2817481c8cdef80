// Shared by `copy` and `template`: compare a wanted file (content, mode, owner, group) with what is on
// the host, predict or apply the difference. Content goes over SFTP (atomic rename); with `become` it
// is uploaded to a private temporary file and moved into place by sudo. chown/chmod run as commands.

import { createHash, randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { RemoteTransport } from '../../transports/types.js';
import { shellQuote } from '../../util/shell-quote.js';
import { StepFailedError, type StepContext, type StepOutcome } from '../types.js';
import { arg, Refusal } from '../schema/arg.js';
import type { ArgsOf } from '../schema/schema.js';
import { BECOME_ARGS, execShell, lastLine } from './command.js';
import { unifiedDiff } from './line-diff.js';

/** '0644', '644', 644 (YAML without quotes) and 0o644 all mean rw-r--r--. */
export function parseMode(value: unknown): number | Refusal {
  const text = typeof value === 'number' ? (Number.isInteger(value) && value >= 0 ? String(value) : '') : typeof value === 'string' ? value.trim() : '';
  const digits = text.replace(/^0o/i, '');
  if (!/^[0-7]{1,4}$/.test(digits)) return new Refusal(`must be octal digits like '0644', not ${JSON.stringify(value)}`, typeof value === 'string' || typeof value === 'number' ? 'bad-value' : 'wrong-type');
  return Number.parseInt(digits, 8);
}

/** What `copy` and `template` register. */
export const PUT_RESULT = {
  dest: ['string', 'the path written (a directory destination resolved to the file in it)'],
  size: ['integer', 'bytes of the wanted content'],
  checksum: ['string', 'sha256 of the wanted content, hex'],
  mode: ['string or null', "the file's mode as an octal string"],
} as const;

/** How `copy` and `template` put a file on the host, for their descriptions. */
export const PUT_DOC = [
  'The file is written over SFTP to a temporary file next to `dest` and renamed into place (atomic). With `become` it is uploaded '
    + 'to a private temporary file under `/tmp` and sudo copies, chmods, chowns and renames it into place. The step is `changed` only '
    + 'when the content, the mode (when given) or the owner/group (when given) differ.',
  '',
  'A dry run reads the file on the host and shows a unified diff of its content and the wanted one (`--- DEST (on the host)`, '
    + '`+++ DEST (wanted)`), mode and owner changes; binary files show `binary content differs`, files too different for a line diff a '
    + 'one-line summary.',
].join('\n');

export const PUT_ARGS = {
  dest: arg.string('path on the host (an existing directory or a path ending in / gets the source file name)').required(),
  mode: arg.custom('file mode', "permissions as an octal string, e.g. '0644' (quote it: YAML reads 0644 as a number)", parseMode, (m) => `'${formatMode(m)}'`),
  owner: arg.string('owner (chown; usually needs become)'),
  group: arg.string('group (chgrp; usually needs become)'),
  ...BECOME_ARGS,
};
export type PutArgs = ArgsOf<typeof PUT_ARGS>;

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;

export function formatMode(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

interface Current {
  readonly content: Buffer | null;
  readonly mode: number | null;
  readonly owner: string | null;
  readonly group: string | null;
}

function isBinary(b: Buffer): boolean {
  return b.includes(0) || !b.equals(Buffer.from(b.toString('utf8'), 'utf8'));
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** Where the file goes: a directory destination gets the source's base name. */
async function resolveDest(t: RemoteTransport, dest: string, srcName: string | undefined): Promise<string> {
  const intoDir = dest.endsWith('/') || (((await t.stat(dest))?.mode ?? 0) & S_IFMT) === S_IFDIR;
  if (!intoDir) return dest;
  if (srcName === undefined) throw new StepFailedError(`dest ${dest} is a directory: name the file (inline content has no file name)`);
  return posix.join(dest, srcName);
}

async function readCurrent(ctx: StepContext, t: RemoteTransport, dest: string, args: PutArgs): Promise<Current> {
  const q = shellQuote(dest);
  if (args.become) {
    // sudo: the file may be readable only by root. base64 keeps binary content intact through exec.
    const r = await execShell(ctx, t, { ...args, command: `if [ -e ${q} ]; then stat -c '%a %U %G' -- ${q} && base64 < ${q}; else echo MISSING; fi` });
    if (r.rc !== 0) throw new StepFailedError(`cannot read ${dest} with sudo: ${lastLine(r)}`);
    const [head, ...rest] = r.stdout.split('\n');
    if (head === 'MISSING') return { content: null, mode: null, owner: null, group: null };
    const [mode, owner, group] = (head ?? '').split(' ');
    return { content: Buffer.from(rest.join(''), 'base64'), mode: Number.parseInt(mode ?? '0', 8), owner: owner ?? null, group: group ?? null };
  }
  const content = await t.readFile(dest);
  if (content === null) return { content: null, mode: null, owner: null, group: null };
  const st = await t.stat(dest);
  let owner: string | null = null;
  let group: string | null = null;
  if (args.owner !== undefined || args.group !== undefined) {
    const r = await t.exec(`stat -c '%U %G' -- ${q}`);
    [owner = null, group = null] = r.rc === 0 ? r.stdout.trim().split(' ') : [];
  }
  return { content, mode: st ? st.mode & 0o7777 : null, owner, group };
}

interface Plan {
  readonly dest: string;
  readonly current: Current;
  readonly content: Buffer;
  readonly mode: number | undefined;
  readonly contentChanged: boolean;
  readonly notes: readonly string[];
}

async function makePlan(ctx: StepContext, t: RemoteTransport, args: PutArgs, content: Buffer, srcName: string | undefined): Promise<Plan> {
  const mode = args.mode;
  const dest = await resolveDest(t, args.dest, srcName);
  const current = await readCurrent(ctx, t, dest, args);
  const notes: string[] = [];
  const contentChanged = current.content === null || !current.content.equals(content);
  if (current.content === null) notes.push(`create ${dest} (${content.length} bytes${mode !== undefined ? `, mode ${formatMode(mode)}` : ''})`);
  else if (contentChanged) notes.push(`update ${dest} (${current.content.length} → ${content.length} bytes)`);
  if (current.content !== null && mode !== undefined && current.mode !== mode) notes.push(`mode ${current.mode === null ? '?' : formatMode(current.mode)} → ${formatMode(mode)}`);
  if (args.owner !== undefined && current.owner !== args.owner) notes.push(`owner ${current.owner ?? '(new file)'} → ${args.owner}`);
  if (args.group !== undefined && current.group !== args.group) notes.push(`group ${current.group ?? '(new file)'} → ${args.group}`);
  return { dest, current, content, mode, contentChanged, notes };
}

function diffText(p: Plan): string {
  if (!p.contentChanged) return '';
  const old = p.current.content ?? Buffer.alloc(0);
  if (isBinary(old) || isBinary(p.content)) return `binary content differs (sha256 ${sha256(p.content).slice(0, 12)})\n`;
  return unifiedDiff(old.toString('utf8'), p.content.toString('utf8'), {
    oldLabel: p.current.content === null ? '/dev/null' : `${p.dest} (on the host)`, newLabel: `${p.dest} (wanted)`,
  });
}

function result(p: Plan, changed: boolean): Record<string, unknown> {
  const mode = p.mode ?? p.current.mode ?? (p.current.content === null ? 0o644 : null);
  return { dest: p.dest, size: p.content.length, checksum: sha256(p.content), mode: mode === null ? null : formatMode(mode), changed };
}

/** Dry run: the diff and what else would change (mode, owner, group). */
export async function checkPut(ctx: StepContext, args: PutArgs, content: Buffer, srcName: string | undefined): Promise<StepOutcome> {
  const t = await ctx.services.ssh(ctx.hostName);
  const p = await makePlan(ctx, t, args, content, srcName);
  const changed = p.notes.length > 0;
  const plan = changed ? `${p.notes.join('; ')}\n${diffText(p)}`.trimEnd() : `${p.dest} is up to date`;
  return { changed, plan, result: result(p, changed) };
}

export async function applyPut(ctx: StepContext, args: PutArgs, content: Buffer, srcName: string | undefined): Promise<StepOutcome> {
  const t = await ctx.services.ssh(ctx.hostName);
  const p = await makePlan(ctx, t, args, content, srcName);
  if (p.notes.length === 0) return { changed: false, msg: `${p.dest} is up to date`, result: result(p, false) };
  const q = shellQuote(p.dest);
  const mode = p.mode ?? p.current.mode ?? 0o644;
  const owner = args.owner !== undefined || args.group !== undefined ? `${args.owner ?? ''}${args.group !== undefined ? `:${args.group}` : ''}` : undefined;
  const script: string[] = [];
  if (args.become) {
    // Upload as the login user into a private file, then let sudo put it in place (same directory, then rename).
    const tmp = `/tmp/.stackplay-${randomBytes(6).toString('hex')}`;
    const staged = `${p.dest}.stackplay-${randomBytes(4).toString('hex')}`;
    await t.writeFile(tmp, p.content, { mode: 0o600 });
    const sq = shellQuote(staged);
    const steps = [`cp -- ${shellQuote(tmp)} ${sq}`, `chmod ${formatMode(mode)} ${sq}`, ...(owner ? [`chown -- ${shellQuote(owner)} ${sq}`] : []), `mv -f -- ${sq} ${q}`];
    script.push(`{ ${steps.join(' && ')}; }; rc=$?; rm -f -- ${shellQuote(tmp)} ${sq}; exit $rc`);
  } else {
    if (p.contentChanged) await t.writeFile(p.dest, p.content, { mode });
    else if (p.mode !== undefined && p.current.mode !== p.mode) script.push(`chmod ${formatMode(mode)} -- ${q}`);
    if (owner) script.push(`chown -- ${shellQuote(owner)} ${q}`);
  }
  if (script.length > 0) {
    const r = await execShell(ctx, t, { ...args, command: script.join(' && ') });
    if (r.rc !== 0) throw new StepFailedError(`cannot install ${p.dest}: ${lastLine(r)}`, result(p, false));
  }
  ctx.services.record('change', { kind: 'file', host: ctx.hostName, dest: p.dest, checksum: sha256(p.content) });
  return { changed: true, msg: p.notes.join('; '), result: result(p, true) };
}
