// Reads an ssh_config file and every file its `Include` lines name into a graph of parsed lines, with
// the checks OpenSSH makes before it looks anything up: quotes, Match syntax, included files' owner and
// mode, and at most 16 levels of Include (a loop is reported as one). Evaluation is ssh-config.ts's job.
import { open } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { expandTilde, globPaths } from './ssh-config-glob.js';
import { ConfigLineError, splitLine, type ConfigLine } from './ssh-config-lines.js';
import { parseMatch, type MatchCriterion } from './ssh-config-match.js';

export interface Where {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export type ConfigItem =
  | { readonly kind: 'host'; readonly patterns: readonly string[]; readonly where: Where }
  | { readonly kind: 'match'; readonly criteria: readonly MatchCriterion[]; readonly where: Where }
  | { readonly kind: 'option'; readonly keyword: string; readonly args: readonly string[]; readonly rest: string; readonly where: Where }
  | { readonly kind: 'include'; readonly files: readonly ConfigFile[]; readonly where: Where };

export interface ConfigFile {
  readonly path: string;
  readonly items: readonly ConfigItem[];
  /** Longest chain of Includes below this file. */
  readonly height: number;
}

/** A config ssh would refuse, with the file, line and column. */
export class SshConfigError extends Error {
  constructor(readonly where: Where, message: string, options?: { cause?: unknown }) {
    super(`${where.file}:${where.line}:${where.col}: ${message}`, options);
    this.name = 'SshConfigError';
  }
}

/** OpenSSH's READCONF_MAX_DEPTH. */
const MAX_INCLUDE_DEPTH = 16;

/** Keywords we read whose single argument ssh insists on (`User a b` is an error there too). */
const SINGLE = new Set(['hostname', 'user', 'port', 'identityfile', 'identitiesonly', 'hostkeyalias', 'connecttimeout',
  'proxyusefdpass', 'canonicalizehostname']);

interface LoadOptions {
  /** For `~` and for relative Include paths (`~/.ssh/…`). */
  readonly home: string;
  /** Check the main file's owner and mode too (ssh does for ~/.ssh/config, not for `-F FILE`). */
  readonly checkMainPerms: boolean;
  /** Default: process.getuid(). */
  readonly uid?: number;
}

type Pending = { readonly kind: 'pending-include'; readonly args: readonly string[]; readonly where: Where };

/** Parse one file's text; Include lines come back unresolved. */
function parseText(text: string, file: string): Array<ConfigItem | Pending> {
  const items: Array<ConfigItem | Pending> = [];
  text.split('\n').forEach((raw, i) => {
    let l: ConfigLine | null;
    try {
      l = splitLine(raw);
    } catch (err) {
      if (err instanceof ConfigLineError) throw new SshConfigError({ file, line: i + 1, col: err.col }, err.message);
      throw err;
    }
    if (l === null) return;
    const where: Where = { file, line: i + 1, col: l.col };
    const at = (msg: string, col = l?.restCol ?? 1): SshConfigError => new SshConfigError({ file, line: i + 1, col }, msg);
    if (l.args.includes('') && (l.keyword === 'host' || l.keyword === 'include')) throw at(`${l.keyword}: empty argument`);
    if (l.keyword === 'host') items.push({ kind: 'host', patterns: l.args, where });
    else if (l.keyword === 'match') {
      try {
        items.push({ kind: 'match', criteria: parseMatch(l.rest), where });
      } catch (err) {
        throw at((err as Error).message);
      }
    } else if (l.keyword === 'include') items.push({ kind: 'pending-include', args: l.args, where });
    else {
      if (SINGLE.has(l.keyword) && l.args.length !== 1) {
        throw at(l.args.length === 0 ? `${l.keyword}: missing argument` : `${l.keyword}: extra arguments at end of line`);
      }
      items.push({ kind: 'option', keyword: l.keyword, args: l.args, rest: l.rest.replace(/^[\s=]+/, ''), where });
    }
  });
  return items;
}

/** Parse a config given as text; `Include` needs files (loadConfigFile) and is refused here. */
export function parseConfigText(text: string, file: string): ConfigFile {
  const items = parseText(text, file).map((it) => {
    if (it.kind === 'pending-include') throw new SshConfigError(it.where, 'Include is only followed in a config read from a file');
    return it;
  });
  return { path: file, items, height: 0 };
}

class Loader {
  private readonly done = new Map<string, ConfigFile | null>();
  private readonly uid: number;

  constructor(private readonly o: LoadOptions) {
    this.uid = o.uid ?? process.getuid?.() ?? 0;
  }

  /** Null when the file is not there (missing, or a directory: ssh reads nothing from those). */
  private async read(path: string, checkPerms: boolean, from: Where | null): Promise<string | null> {
    const fail = (msg: string, cause?: unknown): SshConfigError =>
      new SshConfigError(from ?? { file: path, line: 1, col: 1 }, msg, { cause });
    let fh;
    try {
      fh = await open(path, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw fail(`cannot read ${path}: ${(err as Error).message}`, err);
    }
    try {
      const st = await fh.stat();
      // A config that others can write could run commands as us (ProxyCommand): ssh refuses it.
      if (checkPerms && ((st.uid !== 0 && st.uid !== this.uid) || (st.mode & 0o022) !== 0)) {
        throw fail(`bad owner or permissions on ${path}: ssh requires it to be owned by you or root and not writable by group or others`);
      }
      if (st.isDirectory()) return null;
      return await fh.readFile('utf8');
    } finally {
      await fh.close();
    }
  }

  async load(path: string, checkPerms: boolean, stack: readonly string[], from: Where | null): Promise<ConfigFile | null> {
    if (stack.includes(path)) {
      const loop = [...stack.slice(stack.indexOf(path)), path].join(' -> ');
      throw new SshConfigError(from ?? { file: path, line: 1, col: 1 }, `Include loop: ${loop}`);
    }
    if (this.done.has(path)) return this.done.get(path) ?? null;
    const text = await this.read(path, checkPerms, from);
    if (text === null) {
      this.done.set(path, null);
      return null;
    }
    const items: ConfigItem[] = [];
    let height = 0;
    for (const it of parseText(text, path)) {
      if (it.kind !== 'pending-include') {
        items.push(it);
        continue;
      }
      const files: ConfigFile[] = [];
      for (const arg of it.args) {
        // Relative paths are in ~/.ssh for a user config, whichever file holds the Include.
        const pattern = expandTilde(isAbsolute(arg) || arg.startsWith('~') ? arg : `~/.ssh/${arg}`, this.o.home);
        if (!isAbsolute(pattern)) continue; // `~nosuchuser/…`: glob finds nothing
        for (const p of await globPaths(pattern)) {
          const f = await this.load(p, true, [...stack, path], it.where);
          if (f === null) continue;
          if (stack.length + 1 + f.height > MAX_INCLUDE_DEPTH) {
            throw new SshConfigError(it.where, `Include nests more than ${MAX_INCLUDE_DEPTH} files deep (ssh refuses that too)`);
          }
          files.push(f);
          height = Math.max(height, 1 + f.height);
        }
      }
      items.push({ kind: 'include', files, where: it.where });
    }
    const file: ConfigFile = { path, items, height };
    this.done.set(path, file);
    return file;
  }
}

/** Read `path` and everything it includes; null when `path` itself does not exist. */
export function loadConfigFile(path: string, o: LoadOptions): Promise<ConfigFile | null> {
  return new Loader(o).load(path, o.checkMainPerms, [], null);
}
