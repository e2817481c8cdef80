// A private OpenSSH sshd for transport tests: own config, host key, authorized keys and pid file in a
// temp dir, listening on one high port on several loopback addresses. Falls back to the ssh2 in-process
// server (ssh-server.ts) when sshd is not installed, unless CI=true (then sshd is mandatory).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { startSsh2Server } from './ssh-server.js';
import { freePort, type TestSshServer, type TestSshServerOptions } from './ssh-common.js';
import { pubBlob, testKeys } from './ssh-keys.js';

export { freePort, type TestSshServer, type TestSshServerOptions } from './ssh-common.js';

export const SSHD = '/usr/sbin/sshd';

export function sshdAvailable(): boolean {
  return existsSync(SSHD);
}

export async function startTestSshServer(opts: TestSshServerOptions = {}): Promise<TestSshServer> {
  for (const a of opts.addresses ?? []) if (!a.startsWith('127.')) throw new Error(`tests listen on loopback only, not ${a}`);
  const kind = opts.password !== undefined ? 'ssh2' : opts.kind ?? 'auto';
  if (kind === 'ssh2') return startSsh2Server(opts);
  if (!sshdAvailable()) {
    if (kind === 'openssh' || process.env['CI'] === 'true') throw new Error(`${SSHD} is required (CI=true): apt-get install -y openssh-server`);
    return startSsh2Server(opts);
  }
  return startOpenSshd(opts);
}

/** All descendants of `pid`, parents before children, from /proc. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch { /* process went away */ }
  }
  const out: number[] = [];
  // Parents first: killing the connection's sshd processes before the commands they run means the
  // client sees the connection drop, not a command that died of SIGKILL.
  const walk = (p: number): void => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

function killTree(pid: number): void {
  for (const p of descendants(pid)) {
    try { process.kill(p, 'SIGKILL'); } catch { /* already gone */ }
  }
}

/**
 * Waits until sshd logs that it listens on every address. sshd writes its log to a file, not to a pipe
 * of ours: a pipe is drained only while our event loop runs, and a test or benchmark blocked in
 * spawnSync would leave sshd and every session process blocked on a full pipe (sessions that hang).
 */
function waitListening(child: ChildProcess, logPath: string, addresses: readonly string[], port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const readLog = (): string => { try { return readFileSync(logPath, 'utf8'); } catch { return ''; } };
    const deadline = Date.now() + 15_000;
    const onExit = (code: number | null): void => {
      clearInterval(poll);
      reject(new Error(`sshd exited (${code}) before listening:\n${readLog()}`));
    };
    const poll = setInterval(() => {
      const log = readLog();
      if (addresses.every((a) => log.includes(`Server listening on ${a} port ${port}`))) {
        clearInterval(poll);
        child.off('exit', onExit);
        resolve();
      } else if (Date.now() > deadline) {
        clearInterval(poll);
        child.off('exit', onExit);
        reject(new Error(`sshd did not listen within 15 s:\n${log}`));
      }
    }, 10);
    child.once('exit', onExit);
  });
}

async function startOpenSshd(opts: TestSshServerOptions): Promise<TestSshServer> {
  const keys = await testKeys();
  const addresses = opts.addresses ?? ['127.0.0.1'];
  const dir = mkdtempSync(join(tmpdir(), 'stackplay-sshd-'));
  // sshd insists on its privilege-separation directory even for a private instance.
  if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const hostKey = opts.altHostKey ? keys.altHostKey : keys.hostKey;
  await writeFile(join(dir, 'authorized_keys'), [keys.ed25519.pub, keys.rsaPem.pub, keys.encrypted.pub].join('\n') + '\n', { mode: 0o600 });
  const user = userInfo().username;
  const remoteHome = join(dir, 'home');
  mkdirSync(remoteHome, { mode: 0o700 });
  let lastErr: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const config = [
      `Port ${port}`, ...addresses.map((a) => `ListenAddress ${a}`),
      `HostKey ${hostKey.path}`, ...(opts.withRsaHostKey ? [`HostKey ${keys.hostKeyRsa.path}`] : []), `PidFile ${join(dir, 'sshd.pid')}`, `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'StrictModes no', 'UsePAM no', 'PermitRootLogin yes', 'PubkeyAuthentication yes',
      'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'AllowTcpForwarding yes',
      'X11Forwarding no', 'PrintMotd no', 'PrintLastLog no', 'UseDNS no', `LogLevel ${process.env['STACKPLAY_SSHD_LOGLEVEL'] ?? 'INFO'}`,
      `MaxSessions ${opts.maxSessions ?? 10}`, 'MaxStartups 200:30:400', 'MaxAuthTries 20',
      'Subsystem sftp internal-sftp',
      // The remote shell reads $HOME/.bashrc for every command; the real account's rc may be slow
      // (pyenv init: ~150 ms per exec here). An empty home keeps tests fast and off the real dotfiles.
      `SetEnv HOME=${remoteHome}`,
    ].join('\n') + '\n';
    const configPath = join(dir, 'sshd_config');
    await writeFile(configPath, config);
    const logPath = join(dir, `sshd-${port}.log`);
    if (process.env['STACKPLAY_SSHD_LOG']) process.stderr.write(`[sshd] log: ${logPath}\n`);
    const child = spawn(SSHD, ['-D', '-E', logPath, '-f', configPath], { stdio: 'ignore' });
    try {
      await waitListening(child, logPath, addresses, port);
    } catch (err) {
      lastErr = err;
      if (child.exitCode === null) child.kill('SIGKILL');
      if (/Address already in use/.test(String(err))) continue;
      throw err;
    }
    const pid = child.pid ?? -1;
    let stopped = false;
    // sshd -D outlives a test process that exits without teardown (mocha --exit after a timeout).
    const onExit = (): void => {
      killTree(pid);
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      rmSync(dir, { recursive: true, force: true });
    };
    process.once('exit', onExit);
    return {
      kind: 'openssh', port, addresses, user, keys, hostKeyPub: hostKey.pub,
      knownHostsLine: (a = addresses[0] ?? '127.0.0.1') => `[${a}]:${port} ${hostKey.pub.split(/\s+/)[0]} ${pubBlob(hostKey.pub)}`,
      dropConnections: async () => {
        killTree(pid);
      },
      suspendConnections: async () => {
        const pids = descendants(pid);
        for (const p of pids) { try { process.kill(p, 'SIGSTOP'); } catch { /* gone */ } }
        return async () => {
          for (const p of pids) { try { process.kill(p, 'SIGCONT'); } catch { /* gone */ } }
        };
      },
      stop: async () => {
        if (stopped) return;
        stopped = true;
        process.removeListener('exit', onExit);
        killTree(pid);
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          await exited;
        }
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  throw lastErr;
}
