// Host-key verification against real servers: unknown and changed keys fail with typed errors that
// carry fingerprints, hashed/wildcard/project entries are honoured, accept-new records, known key types
// are preferred, and the trust helpers (collect, record, preflight) work on many hosts at once.
import { requireTool } from '../../support/require-tool.js';
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  collectHostKeys, fingerprintOf, HostKeyChangedError, HostKeyPreflightError, HostKeyRevokedError, HostKeyUnknownError,
  recordHostKeys, UnreachableError, type SshEvent, type SshHostSettings,
} from '../../../src/transports/ssh/index.js';
import { freePort, startTestSshServer, type TestSshServer } from '../../support/sshd.js';
import { hasSshKeygen, pubBlob } from '../../support/ssh-keys.js';
import { hostOn, makePool, tempHome, type HostTable, type TempHome } from './fixture.js';

const run = promisify(execFile);
const ADDRS = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'];

async function failure(p: Promise<unknown>): Promise<Error> {
  return p.then(() => { throw new Error('expected a failure'); }, (e: Error) => e);
}

describe('transports/ssh host keys', () => {
  let server: TestSshServer;
  let home: TempHome;
  let fp: string;
  let altLine: (a: string) => string;
  before(async () => {
    server = await startTestSshServer({ addresses: ADDRS, withRsaHostKey: true });
    home = await tempHome();
    fp = fingerprintOf(Buffer.from(pubBlob(server.hostKeyPub), 'base64'));
    altLine = (a) => `[${a}]:${server.port} ssh-ed25519 ${pubBlob(server.keys.altHostKey.pub)}`;
  });
  beforeEach(() => writeFile(home.knownHosts, ''));
  after(async () => {
    await server.stop();
    home.remove();
  });

  const table = (): HostTable => Object.fromEntries(ADDRS.map((a, i) => [`h${i + 1}`, hostOn(server, a)]));

  it('rejects an unknown key with its fingerprint and how to trust it', async () => {
    const pool = makePool(home, table());
    try {
      const e = await failure(pool.get('h1'));
      expect(e).to.be.instanceOf(HostKeyUnknownError);
      const u = e as HostKeyUnknownError;
      expect(u.fingerprint).to.equal(fp);
      expect(u.keyType).to.equal('ssh-ed25519');
      expect(u.presented.line).to.equal(server.knownHostsLine('127.0.0.1'));
      expect(u.message).to.include(fp).and.include('stackplay trust h1').and.include('--accept-new-host-keys');
    } finally {
      await pool.closeAll();
    }
  });

  it('rejects a changed key, naming the expected key, its file:line and the presented key, even with accept-new', async () => {
    await writeFile(home.knownHosts, `# team hosts\n${altLine('127.0.0.1')}\n`);
    const pool = makePool(home, table(), { acceptNewHostKeys: true });
    try {
      const e = await failure(pool.get('h1'));
      expect(e).to.be.instanceOf(HostKeyChangedError);
      const c = e as HostKeyChangedError;
      const altFp = fingerprintOf(Buffer.from(pubBlob(server.keys.altHostKey.pub), 'base64'));
      expect(c.expected).to.deep.equal([{ file: home.knownHosts, lineNumber: 2, keyType: 'ssh-ed25519', fingerprint: altFp }]);
      expect(c.message).to.include(`${home.knownHosts}:2`).and.include(altFp).and.include(fp);
      expect(await readFile(home.knownHosts, 'utf8')).to.equal(`# team hosts\n${altLine('127.0.0.1')}\n`);
    } finally {
      await pool.closeAll();
    }
  });

  it('rejects a @revoked key', async () => {
    await writeFile(home.knownHosts, `@revoked * ssh-ed25519 ${pubBlob(server.hostKeyPub)}\n${server.knownHostsLine('127.0.0.1')}\n`);
    const pool = makePool(home, table());
    try {
      expect(await failure(pool.get('h1'))).to.be.instanceOf(HostKeyRevokedError);
    } finally {
      await pool.closeAll();
    }
  });

  it('accepts hashed entries written by ssh-keygen -H', async function () {
    requireTool(this, hasSshKeygen(), 'ssh-keygen');
    await writeFile(home.knownHosts, `${server.knownHostsLine('127.0.0.2')}\n`);
    await run('/usr/bin/ssh-keygen', ['-H', '-f', home.knownHosts]); // our temp file only
    expect(await readFile(home.knownHosts, 'utf8')).to.match(/^\|1\|/);
    const pool = makePool(home, table());
    try {
      expect((await (await pool.get('h2')).exec('echo hashed')).stdout).to.equal('hashed\n');
      expect(await failure(pool.get('h3'))).to.be.instanceOf(HostKeyUnknownError);
    } finally {
      await pool.closeAll();
    }
  });

  it('accepts wildcard entries and project known_hosts files', async () => {
    const project = join(home.dir, 'project_known_hosts');
    await writeFile(project, `[127.0.0.*]:${server.port},![127.0.0.4]:${server.port} ssh-ed25519 ${pubBlob(server.hostKeyPub)}\n`);
    const t = table();
    for (const k of Object.keys(t)) t[k] = { ...t[k], knownHostsFiles: [project] };
    const pool = makePool(home, t);
    try {
      await pool.get('h3');
      expect(await failure(pool.get('h4'))).to.be.instanceOf(HostKeyUnknownError); // excluded by the negated pattern
    } finally {
      await pool.closeAll();
    }
  });

  it('negotiates the key type known_hosts has (RSA here) instead of calling it changed', async () => {
    await writeFile(home.knownHosts, `[127.0.0.1]:${server.port} ssh-rsa ${pubBlob(server.keys.hostKeyRsa.pub)}\n`);
    const pool = makePool(home, table());
    try {
      const t = await pool.get('h1');
      expect(t.hostKey.keyType).to.equal('ssh-rsa');
    } finally {
      await pool.closeAll();
    }
  });

  it('with accept-new, records unknown keys in the chosen file and reports it', async () => {
    const project = join(home.dir, 'accepted', 'known_hosts');
    const events: SshEvent[] = [];
    const accepting = makePool(home, table(), { acceptNewHostKeys: true, onEvent: (e) => events.push(e) });
    const toProject = makePool(home, table(), { acceptNewHostKeys: true, newHostKeysFile: project });
    try {
      await accepting.get('h1');
      expect(await readFile(home.knownHosts, 'utf8')).to.equal(`${server.knownHostsLine('127.0.0.1')}\n`);
      expect(events.find((e) => e.type === 'host-key-accepted')).to.deep.include({ fingerprint: fp, file: home.knownHosts });
      await toProject.get('h2');
      expect(await readFile(project, 'utf8')).to.equal(`${server.knownHostsLine('127.0.0.2')}\n`);
    } finally {
      await accepting.closeAll();
      await toProject.closeAll();
    }
    const strict = makePool(home, table());
    try {
      await strict.get('h1'); // now known
    } finally {
      await strict.closeAll();
    }
  });

  it('collects many hosts at once and records only the new keys', async () => {
    await writeFile(home.knownHosts, `${server.knownHostsLine('127.0.0.1')}\n${altLine('127.0.0.3')}\n`);
    const closedPort = await freePort();
    const settings: SshHostSettings[] = [
      { name: 'known', address: '127.0.0.1', port: server.port },
      { name: 'new', address: '127.0.0.2', port: server.port },
      { name: 'changed', address: '127.0.0.3', port: server.port },
      { name: 'down', address: '127.0.0.1', port: closedPort },
    ];
    const opts = { homeDir: home.dir, userKnownHosts: home.knownHosts, sshConfigPath: null, systemKnownHosts: null, agentSocket: null };
    const got = await collectHostKeys(settings, opts);
    expect(got.map((g) => `${g.host}:${g.status}`)).to.deep.equal(['known:known', 'new:new', 'changed:changed', 'down:error']);
    const fresh = got[1];
    if (fresh?.status !== 'new') throw new Error('unreachable');
    expect(fresh.fingerprint).to.equal(fp);
    expect(fresh.line).to.equal(server.knownHostsLine('127.0.0.2'));
    const down = got[3];
    expect(down?.status === 'error' ? down.error : null).to.be.instanceOf(UnreachableError);
    const changed = got[2];
    expect(changed?.status === 'changed' ? changed.expected[0]?.lineNumber : null).to.equal(2);

    const { recorded, skipped } = await recordHostKeys(home.knownHosts, got);
    expect(recorded.map((r) => r.host)).to.deep.equal(['new']);
    expect(skipped.map((r) => r.host)).to.deep.equal(['changed', 'down']);
    const again = await collectHostKeys(settings, opts);
    expect(again.map((g) => g.status)).to.deep.equal(['known', 'known', 'changed', 'error']);
  });

  it('preflight reports every host-key problem at once, before any run', async () => {
    await writeFile(home.knownHosts, `${server.knownHostsLine('127.0.0.1')}\n${altLine('127.0.0.3')}\n`);
    const pool = makePool(home, table());
    try {
      const e = await failure(pool.preflightHostKeys(['h1', 'h2', 'h3']));
      expect(e).to.be.instanceOf(HostKeyPreflightError);
      const p = e as HostKeyPreflightError;
      expect(p.errors.map((x) => `${x.host}:${x.code}`)).to.deep.equal(['h2:SSH_HOST_KEY_UNKNOWN', 'h3:SSH_HOST_KEY_CHANGED']);
      expect(p.message).to.include(fp).and.include('h2').and.include('h3');
    } finally {
      await pool.closeAll();
    }
  });

  it('preflight returns other failures per host without throwing', async () => {
    await writeFile(home.knownHosts, ADDRS.map((a) => server.knownHostsLine(a)).join('\n') + '\n');
    const t = table();
    t['down'] = { ...hostOn(server), port: await freePort() };
    const pool = makePool(home, t);
    try {
      const out = await pool.preflightHostKeys(['h1', 'h2', 'down']);
      expect(out.map((o) => `${o.host}:${o.ok}`)).to.deep.equal(['h1:true', 'h2:true', 'down:false']);
      // Preflight warmed the pool: the run reuses the same connection.
      const again = await pool.get('h1');
      expect(again.alive).to.equal(true);
    } finally {
      await pool.closeAll();
    }
  });
});
