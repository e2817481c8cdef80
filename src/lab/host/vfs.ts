// A tiny in-memory filesystem for an emulated host: files written by redirections and by the emulated
// sysvmadm, plus fixed files such as /etc/cloudstack-release. Directories are implied by file paths or
// created by mkdir; nothing touches the real disk.

export class Vfs {
  private readonly files = new Map<string, string>();
  private readonly dirs = new Set<string>(['/']);
  /** Files whose content is computed on each read (e.g. from VM state). */
  private readonly dynamic = new Map<string, () => string | undefined>();
  /** Modification times (ms since the epoch, lab time) of written files. */
  private readonly mtimes = new Map<string, number>();
  /** The host's clock; files written before it is set are dated 0. */
  clock: (() => number) | undefined;

  static normalize(path: string, cwd = '/'): string {
    const abs = path.startsWith('/') ? path : `${cwd.replace(/\/$/, '')}/${path}`;
    const out: string[] = [];
    for (const part of abs.split('/')) {
      if (!part || part === '.') continue;
      if (part === '..') out.pop();
      else out.push(part);
    }
    return '/' + out.join('/');
  }

  private parents(path: string): void {
    const parts = path.split('/').filter(Boolean);
    let cur = '';
    for (let i = 0; i < parts.length - 1; i++) {
      cur += '/' + parts[i];
      this.dirs.add(cur);
    }
  }

  defineDynamic(path: string, read: () => string | undefined): void {
    this.parents(path);
    this.dynamic.set(path, read);
  }

  /** A file written over a computed one wins (a VM's file rewritten after boot). */
  read(path: string): string | undefined {
    const written = this.files.get(path);
    if (written !== undefined) return written;
    return this.dynamic.get(path)?.();
  }

  write(path: string, data: string): void {
    this.parents(path);
    this.files.set(path, data);
    this.mtimes.set(path, this.clock?.() ?? 0);
  }

  /** A file's modification time (a computed file is always new). */
  mtime(path: string): number | undefined {
    if (this.files.has(path)) return this.mtimes.get(path) ?? 0;
    return this.isFile(path) ? (this.clock?.() ?? 0) : undefined;
  }

  /** Sets a file's modification time (touch -d). */
  setMtime(path: string, at: number): void {
    if (this.files.has(path)) this.mtimes.set(path, at);
  }

  append(path: string, data: string): void {
    this.parents(path);
    this.files.set(path, (this.files.get(path) ?? '') + data);
    this.mtimes.set(path, this.clock?.() ?? 0);
  }

  isFile(path: string): boolean {
    return this.files.has(path) || (this.dynamic.has(path) && this.dynamic.get(path)!() !== undefined);
  }

  isDir(path: string): boolean {
    return this.dirs.has(path);
  }

  exists(path: string): boolean {
    return this.isFile(path) || this.isDir(path);
  }

  mkdir(path: string): void {
    this.parents(path + '/x');
  }

  remove(path: string): boolean {
    return this.files.delete(path);
  }

  list(): string[] {
    return [...this.files.keys(), ...this.dynamic.keys()].sort();
  }
}
