// The corpus of invalid inputs (test/fixtures/invalid): one file per case, ESLint style. Its first
// lines say what must be reported: `# expect: CODE LINE:COL [WORD]`, and optionally `# with: ARGS`
// (more command-line arguments), `# only: run` (found only when a run loads it: validate without -i
// knows no inventory), `# alone` (no other problem may be reported: no follow-on errors) and, for
// command-line cases, `# at: FILE` (the file the position is in). Kinds, by folder:
//   *.yml           a playbook                        inventory/*.yml   an inventory (with -i)
//   extra-vars/*.yml  an -e @file                     encoding/*        a playbook in another encoding
//   cli/*.yml       a command line (`args:`) with placeholders for files the test makes: {fifo},
//                   {dir}, {socket}, {large}, {valid}, and `files:` written into {dir}.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import { join, relative } from 'node:path';
import yaml from 'js-yaml';
import { FIXTURES, REPO_ROOT } from './paths.js';

export type CorpusKind = 'playbook' | 'inventory' | 'extra-vars' | 'encoding' | 'cli';

export interface CorpusCase {
  readonly kind: CorpusKind;
  /** Relative to the repository root. */
  readonly file: string;
  readonly code: string;
  readonly line: number;
  readonly col: number;
  readonly word: string | undefined;
  readonly onlyRun: boolean;
  readonly alone: boolean;
  readonly with: readonly string[];
  /** cli cases: the file the position is in (with placeholders). */
  readonly at: string | undefined;
}

/** The playbook inventory and -e cases are loaded with (it uses an inventory variable). */
export const VALID_PLAYBOOK = 'test/fixtures/valid/uses-inventory.yml';

const INVALID = join(FIXTURES, 'invalid');
const FOLDERS: ReadonlyArray<readonly [string, CorpusKind]> = [['', 'playbook'], ['inventory', 'inventory'], ['extra-vars', 'extra-vars'], ['encoding', 'encoding'], ['cli', 'cli']];

/** The header's text: the printable ASCII of the file's bytes (a UTF-16 file's header is UTF-16 too). */
function headerText(bytes: Buffer): string {
  return [...bytes].filter((b) => b === 10 || b === 13 || (b >= 32 && b < 127)).map((b) => String.fromCharCode(b)).join('');
}

export function corpusCases(): CorpusCase[] {
  const out: CorpusCase[] = [];
  for (const [folder, kind] of FOLDERS) {
    const dir = join(INVALID, folder);
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.yml')).sort()) {
      const path = join(dir, name);
      const head = headerText(readFileSync(path)).split(/\r\n|\r|\n/).filter((l) => l.startsWith('#'));
      const m = /^# expect: (\S+) (\d+):(\d+)(?: (.+))?$/.exec(head[0] ?? '');
      if (!m) throw new Error(`${path}: the first line must be '# expect: CODE LINE:COL [WORD]'`);
      const opt = (key: string): string | undefined => head.find((l) => l.startsWith(`# ${key}:`))?.slice(key.length + 3).trim();
      out.push({
        kind, file: relative(REPO_ROOT, path), code: m[1]!, line: Number(m[2]), col: Number(m[3]), word: m[4]?.trim(),
        onlyRun: opt('only') === 'run', alone: head.includes('# alone'), with: opt('with')?.split(/\s+/) ?? [], at: opt('at'),
      });
    }
  }
  return out;
}

/** A case made concrete: the arguments after the command, and the file its position is in. */
export interface PreparedCase {
  readonly args: readonly string[];
  readonly at: string;
  readonly cleanup: () => Promise<void>;
}

/** Arguments for a case; paths relative to the repository root (the CLI's working directory in tests). */
export async function prepareCase(c: CorpusCase): Promise<PreparedCase> {
  switch (c.kind) {
    case 'playbook':
    case 'encoding':
      return { args: [c.file, ...c.with], at: c.file, cleanup: async () => undefined };
    case 'inventory':
      return { args: [VALID_PLAYBOOK, '-i', c.file, ...c.with], at: c.file, cleanup: async () => undefined };
    case 'extra-vars':
      return { args: [VALID_PLAYBOOK, '-e', `@${c.file}`, ...c.with], at: c.file, cleanup: async () => undefined };
    case 'cli':
      return prepareCommandLine(c);
  }
}

async function prepareCommandLine(c: CorpusCase): Promise<PreparedCase> {
  const dir = mkdtempSync(join(os.tmpdir(), 'stackplay-corpus-'));
  const spec = yaml.load(readFileSync(join(REPO_ROOT, c.file), 'utf8')) as { args: string[]; files?: Record<string, string> };
  const places: Record<string, string> = { dir, valid: VALID_PLAYBOOK, fifo: join(dir, 'pipe'), socket: join(dir, 'socket'), large: join(dir, 'large.yml') };
  const fill = (s: string): string => s.replace(/\{(\w+)\}/g, (whole, k: string) => places[k] ?? whole);
  const uses = (k: string): boolean => JSON.stringify(spec).includes(`{${k}}`) || (c.at ?? '').includes(`{${k}}`);
  let server: Server | undefined;
  if (uses('fifo')) execFileSync('mkfifo', [places.fifo!]);
  if (uses('large')) {
    writeFileSync(places.large!, '');
    truncateSync(places.large!, 17 * 1024 * 1024);
  }
  if (uses('socket')) {
    const s = createServer();
    server = s;
    await new Promise<void>((resolve) => s.listen(places.socket, resolve));
  }
  for (const [name, text] of Object.entries(spec.files ?? {})) writeFileSync(join(dir, name), fill(text));
  return {
    args: spec.args.map(fill),
    at: fill(c.at ?? ''),
    cleanup: async () => {
      if (server) await new Promise((resolve) => server!.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
