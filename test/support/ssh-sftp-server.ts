// The SFTP requests the transport uses (open/read/write/close, stat, setstat/chmod, remove, rename),
// served from the local file system, for the ssh2 in-process test server. No posix-rename extension,
// so the transport's plain-rename fallback is exercised against this server.
import { constants, closeSync, fstatSync, openSync, readSync, renameSync, statSync, chmodSync, unlinkSync, writeSync, fchmodSync, lstatSync } from 'node:fs';
import ssh2 from 'ssh2';
import type { Attributes, SFTPWrapper } from 'ssh2';

const { STATUS_CODE, OPEN_MODE } = ssh2.utils.sftp;

function statusOf(err: unknown): number {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? STATUS_CODE.NO_SUCH_FILE : code === 'EACCES' ? STATUS_CODE.PERMISSION_DENIED : STATUS_CODE.FAILURE;
}

function attrsOf(st: { mode: number; size: number; uid: number; gid: number; atimeMs: number; mtimeMs: number }): Attributes {
  return { mode: st.mode, size: st.size, uid: st.uid, gid: st.gid, atime: Math.floor(st.atimeMs / 1000), mtime: Math.floor(st.mtimeMs / 1000) };
}

export function serveSftp(sftp: SFTPWrapper): void {
  const handles = new Map<number, number>(); // handle id -> fd
  let nextId = 0;
  const fdOf = (h: Buffer): number | undefined => (h.length === 4 ? handles.get(h.readUInt32BE(0)) : undefined);
  const guard = (reqId: number, fn: () => void): void => {
    try {
      fn();
    } catch (err) {
      sftp.status(reqId, statusOf(err), (err as Error).message);
    }
  };

  sftp.on('OPEN', (reqId, filename, flags, attrs) => guard(reqId, () => {
    const c = constants;
    const read = (flags & OPEN_MODE.READ) !== 0;
    const write = (flags & OPEN_MODE.WRITE) !== 0;
    let f = read && write ? c.O_RDWR : write ? c.O_WRONLY : c.O_RDONLY;
    if (flags & OPEN_MODE.CREAT) f |= c.O_CREAT;
    if (flags & OPEN_MODE.TRUNC) f |= c.O_TRUNC;
    if (flags & OPEN_MODE.EXCL) f |= c.O_EXCL;
    if (flags & OPEN_MODE.APPEND) f |= c.O_APPEND;
    const fd = openSync(filename, f, attrs.mode ?? 0o644);
    const id = nextId++;
    handles.set(id, fd);
    const h = Buffer.alloc(4);
    h.writeUInt32BE(id, 0);
    sftp.handle(reqId, h);
  }));
  sftp.on('READ', (reqId, handle, offset, len) => guard(reqId, () => {
    const fd = fdOf(handle);
    if (fd === undefined) return sftp.status(reqId, STATUS_CODE.FAILURE);
    const buf = Buffer.alloc(len);
    const n = readSync(fd, buf, 0, len, offset);
    if (n === 0) return sftp.status(reqId, STATUS_CODE.EOF);
    sftp.data(reqId, buf.subarray(0, n));
  }));
  sftp.on('WRITE', (reqId, handle, offset, data) => guard(reqId, () => {
    const fd = fdOf(handle);
    if (fd === undefined) return sftp.status(reqId, STATUS_CODE.FAILURE);
    writeSync(fd, data, 0, data.length, offset);
    sftp.status(reqId, STATUS_CODE.OK);
  }));
  sftp.on('FSTAT', (reqId, handle) => guard(reqId, () => {
    const fd = fdOf(handle);
    if (fd === undefined) return sftp.status(reqId, STATUS_CODE.FAILURE);
    sftp.attrs(reqId, attrsOf(fstatSync(fd)));
  }));
  sftp.on('FSETSTAT', (reqId, handle, attrs) => guard(reqId, () => {
    const fd = fdOf(handle);
    if (fd === undefined) return sftp.status(reqId, STATUS_CODE.FAILURE);
    if (attrs.mode !== undefined) fchmodSync(fd, attrs.mode & 0o7777);
    sftp.status(reqId, STATUS_CODE.OK);
  }));
  sftp.on('CLOSE', (reqId, handle) => guard(reqId, () => {
    const id = handle.length === 4 ? handle.readUInt32BE(0) : -1;
    const fd = handles.get(id);
    if (fd === undefined) return sftp.status(reqId, STATUS_CODE.FAILURE);
    handles.delete(id);
    closeSync(fd);
    sftp.status(reqId, STATUS_CODE.OK);
  }));
  sftp.on('STAT', (reqId, path) => guard(reqId, () => sftp.attrs(reqId, attrsOf(statSync(path)))));
  sftp.on('LSTAT', (reqId, path) => guard(reqId, () => sftp.attrs(reqId, attrsOf(lstatSync(path)))));
  sftp.on('SETSTAT', (reqId, path, attrs) => guard(reqId, () => {
    if (attrs.mode !== undefined) chmodSync(path, attrs.mode & 0o7777);
    sftp.status(reqId, STATUS_CODE.OK);
  }));
  sftp.on('REMOVE', (reqId, path) => guard(reqId, () => {
    unlinkSync(path);
    sftp.status(reqId, STATUS_CODE.OK);
  }));
  sftp.on('RENAME', (reqId, from, to) => guard(reqId, () => {
    // SFTPv3 semantics: never replace an existing file.
    try {
      statSync(to);
      return sftp.status(reqId, STATUS_CODE.FAILURE, 'target exists');
    } catch { /* absent: fine */ }
    renameSync(from, to);
    sftp.status(reqId, STATUS_CODE.OK);
  }));
  sftp.on('close', () => {
    for (const fd of handles.values()) {
      try { closeSync(fd); } catch { /* ignore */ }
    }
    handles.clear();
  });
}
