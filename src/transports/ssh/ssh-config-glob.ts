// Where an `Include` argument points: `~` expansion and glob(3) matching as OpenSSH gets them from
// glibc's glob(GLOB_TILDE): `*`, `?` and `[…]` in any path component, names starting with `.` only
// matched by a literal `.`, results in byte order. Node 20 has no fs glob, hence this small one.
import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { isAbsolute } from 'node:path';

/** `~` and `~/…` → home; `~user/…` → that user's home from /etc/passwd, left alone when unknown (as glibc does). */
export function expandTilde(p: string, home: string, passwdFile = '/etc/passwd'): string {
  if (!p.startsWith('~')) return p;
  const slash = p.indexOf('/');
  const user = slash === -1 ? p.slice(1) : p.slice(1, slash);
  const tail = slash === -1 ? '' : p.slice(slash);
  if (user === '') return home + tail;
  let passwd = '';
  try {
    passwd = readFileSync(passwdFile, 'utf8');
  } catch {
    return p;
  }
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f[0] === user && f[5] !== undefined && f[5] !== '') return f[5] + tail;
  }
  return p;
}

function hasMagic(component: string): boolean {
  for (let i = 0; i < component.length; i++) {
    const c = component[i];
    if (c === '\\') i++;
    else if (c === '*' || c === '?' || c === '[') return true;
  }
  return false;
}

function unescape(component: string): string {
  return component.replace(/\\(.)/g, '$1');
}

/** fnmatch(3) with FNM_PERIOD for one path component, as a RegExp. */
function componentRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\' && i + 1 < pattern.length) {
      re += escapeRe(pattern[++i] as string);
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close === -1) { re += '\\['; continue; }
      let body = pattern.slice(i + 1, close);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`, 'su');
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// Plain concatenation, not path.join: glob(3) does not fold `..` or repeated slashes either.
function child(dir: string, name: string): string {
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

async function entries(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return []; // unreadable or missing directories match nothing, as glob(3) without GLOB_ERR
  }
}

/**
 * Paths matching an absolute pattern, sorted in byte order. Components without wildcards are taken
 * as written; whether the final paths exist is the reader's business (a missing one is skipped).
 */
export async function globPaths(pattern: string): Promise<string[]> {
  if (!isAbsolute(pattern)) throw new Error(`glob pattern must be absolute: ${pattern}`);
  if (!hasMagic(pattern)) return [unescape(pattern)];
  let prefixes = ['/'];
  for (const component of pattern.split('/').filter((c) => c !== '')) {
    if (!hasMagic(component)) {
      prefixes = prefixes.map((p) => child(p, unescape(component)));
      continue;
    }
    const re = componentRegExp(component);
    const literalDot = component.startsWith('.') || component.startsWith('\\.');
    const next: string[] = [];
    for (const p of prefixes) {
      for (const name of await entries(p)) {
        if (name.startsWith('.') && !literalDot) continue;
        if (re.test(name)) next.push(child(p, name));
      }
    }
    prefixes = next;
  }
  return prefixes.sort(byteOrder);
}
