// OpenSSH's own client is the oracle: for one config with nested Includes (globs, `~`, relative paths,
// Include inside Host blocks, Match inside included files), ProxyCommand and ProxyJump, `ssh -G -F FILE
// HOST` (HOME pointed at a temp dir) and stackplay's resolution must agree for every host below.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { SshSettingsError } from '../../../src/transports/ssh/errors.js';
import { knownHostsName } from '../../../src/transports/ssh/known-hosts.js';
import { parseHop, resolveSettingsObject, type ResolveContext, type ResolvedHost } from '../../../src/transports/ssh/settings.js';
import { loadSshConfig, type SshConfigLookup } from '../../../src/transports/ssh/ssh-config.js';
import { requireTool } from '../../support/require-tool.js';
import { tempHome, type TempHome } from './fixture.js';

const run = promisify(execFile);
const SSH = '/usr/bin/ssh';
const me = userInfo().username;
const DEFAULT_KEYS = ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_xmss', 'id_dsa'].map((k) => `~/.ssh/${k}`);

type SshG = ReadonlyMap<string, readonly string[]>;

/** `ssh -G` of one host: keyword → values (identityfile has several). */
async function sshG(home: string, config: string, host: string, extra: readonly string[] = []): Promise<SshG> {
  const { stdout } = await run(SSH, ['-G', '-F', config, ...extra, host], { env: { ...process.env, HOME: home } });
  const out = new Map<string, string[]>();
  for (const line of stdout.split('\n')) {
    const i = line.indexOf(' ');
    if (i <= 0) continue;
    const k = line.slice(0, i);
    out.set(k, [...(out.get(k) ?? []), line.slice(i + 1)]);
  }
  return out;
}

/** What ssh runs for a ProxyCommand, from its debug log (the command itself is harmless: not found). */
async function sshProxyCommandLine(home: string, config: string, host: string): Promise<string> {
  const r = await run(SSH, ['-v', '-F', config, '-o', 'BatchMode=yes', '-o', 'UserKnownHostsFile=/dev/null', host, 'true'],
    { env: { ...process.env, HOME: home } }).then((x) => x.stderr, (e: { stderr?: string }) => e.stderr ?? '');
  const m = /Executing proxy command: (.*)/.exec(r);
  if (!m?.[1]) throw new Error(`ssh ran no proxy command for ${host}:\n${r}`);
  return m[1];
}

function one(g: SshG, key: string): string | undefined {
  return g.get(key)?.[0];
}

function hops(spec: string): Array<ReturnType<typeof parseHop>> {
  return spec.split(',').map((h) => parseHop(h, 'oracle'));
}

/** Writes `files` (path relative to home → text) with modes ssh accepts. */
async function writeTree(home: TempHome, files: Record<string, string>): Promise<void> {
  for (const [rel, text] of Object.entries(files)) {
    const p = join(home.dir, rel);
    await mkdir(dirname(p), { recursive: true, mode: 0o700 });
    await writeFile(p, text);
    await chmod(p, 0o600);
  }
}

const TREE: Record<string, string> = {
  '.ssh/main.conf': `
Include conf.d/*.conf
Include ~/.ssh/extra/[a-c]*.cfg missing-file.conf /nonexistent-dir/*.conf

Host bastion
  HostName 127.0.0.9
  User jumper
  Port 2201

Host web*
  Include hosts/web.conf
  IdentityFile ~/.ssh/web_key

Host db
  Include hosts/db.conf
  HostKeyAlias DB-Key
  User dbadmin

Host proxied
  HostName Proxied.Example
  ProxyCommand ssh -W %h:%p -l %r bastion
  ProxyJump bastion

Host tokens
  HostName Tokens.Example
  User tok
  Port 2345
  HostKeyAlias Tok-Alias
  ProxyCommand stackplay-no-such-proxy %h %p %r %n %k %%h

Host jumped
  ProxyJump ops@bastion:2222,db
  ProxyCommand never-used %h

Host direct
  ProxyCommand none
  ProxyJump bastion

Host *.internal
  HostName %h.corp
  HostKeyAlias internal-key

Host app2.example
  HostKeyAlias app2-final

Match originalhost alias-* localuser ${me}
  User matched-local
Match host 10.0.0.*
  Port 2210
Match final host *.corp
  User final-user
Host * !*.internal
  User fallback
`,
  '.ssh/conf.d/10-base.conf': `
Host app1
  HostName 10.0.0.5
  User appuser
Match host 10.0.0.5
  Port 2300
`,
  '.ssh/conf.d/20-more.conf': `
Host app2
  HostName app2.example
  Include ~/.ssh/nested/level1.conf
`,
  '.ssh/conf.d/.hidden.conf': 'Host *\n  Port 1111\n',
  '.ssh/conf.d/readme.txt': 'Host *\n  Port 1112\n',
  '.ssh/nested/level1.conf': 'Include nested/level2.conf\nUser app2user\n',
  '.ssh/nested/level2.conf': 'Port 2402\nIdentityFile ~/.ssh/app2_key\n',
  '.ssh/extra/a1.cfg': 'Host alias-*\n  HostName 10.0.0.7\n',
  '.ssh/extra/b1.cfg': 'Host *.internal\n  Port 2222\n  IdentityFile ~/.ssh/internal\n',
  '.ssh/extra/z1.cfg': 'Host *\n  Port 1113\n',
  '.ssh/hosts/web.conf': 'HostName web.example.org\nPort 8022\nMatch user nobody-such\n  Port 9999\n',
  '.ssh/hosts/db.conf': 'Port 5022\nHost other\n  User other-user\n',
};

// A second config: directory globs, a quoted Include path with a space, `~user`, negated Match lists,
// `Match user` seeing a User set earlier, and `Match canonical` with CanonicalizeHostname.
const TREE2: Record<string, string> = {
  '.ssh/second.conf': `
Include */x.conf "sp ace/q.conf" ~root/.ssh/stackplay-none-such.conf
Match host !b*,a* user !nobody
  HostKeyAlias negmatch
Match host a* user g1
  IdentityFile ~/.ssh/a_key
Match canonical host *.x
  User canon
Host cz
  HostName cz.x
  CanonicalizeHostname yes
`,
  '.ssh/g1/x.conf': 'Host a*\n  User g1\n',
  '.ssh/g2/x.conf': 'Host a*\n  Port 2002\n',
  '.ssh/sp ace/q.conf': 'Host q\n  User quoted\nHost ?b b?\n  Port 2200\n',
};

const HOSTS2 = ['a1', 'ab', 'b1', 'q', 'cz', 'zb'];

const HOSTS = ['app1', 'app2', 'web1', 'webserver', 'db', 'other', 'proxied', 'tokens', 'jumped', 'direct', 'alias-1',
  'foo.internal', 'bastion', 'BASTION', 'unknown-host'];

describe('transports/ssh config: ssh -G agrees', () => {
  let home: TempHome;
  let config: string;
  let lookup: SshConfigLookup;
  let ctx: ResolveContext;

  before(async function () {
    requireTool(this, existsSync(SSH), 'ssh (openssh-client)');
    home = await tempHome();
    await writeTree(home, TREE);
    await mkdir(join(home.sshDir, 'conf.d', 'dir.conf')); // a directory the glob matches: ssh reads nothing from it
    config = join(home.sshDir, 'main.conf');
    // -F FILE: ssh does not check the main file's mode, only the included ones'.
    lookup = await loadSshConfig(config, { home: home.dir, localUser: me, checkPerms: false });
    ctx = { hosts: () => undefined, sshConfig: lookup, homeDir: home.dir, localUser: me, defaultConnectTimeoutMs: 10_000 };
  });
  after(() => home?.remove());

  const expectAgrees = (g: SshG, r: ResolvedHost, what: string): void => {
    expect(r.address, `${what} hostname`).to.equal(one(g, 'hostname'));
    expect(r.port, `${what} port`).to.equal(Number(one(g, 'port')));
    expect(r.user, `${what} user`).to.equal(one(g, 'user'));
    const ids = g.get('identityfile') ?? [];
    if (ids.join() === DEFAULT_KEYS.join()) expect(r.useDefaultKeys, `${what} default keys`).to.equal(true);
    else expect(r.keyFiles, `${what} identityfile`).to.deep.equal(ids.map((f) => f.replace(/^~/, home.dir)));
    const alias = one(g, 'hostkeyalias');
    expect(r.knownHostsName, `${what} hostkeyalias`).to.equal(alias ?? knownHostsName(r.address, r.port));
  };

  for (const host of HOSTS) {
    it(`agrees on ${host}`, async () => {
      const g = await sshG(home.dir, config, host);
      const r = resolveSettingsObject({ name: host }, ctx);
      expectAgrees(g, r, host);
      const pc = one(g, 'proxycommand');
      expect(lookup.compute(host).proxycommand, `${host} proxycommand`).to.equal(pc);
      expect(r.proxyCommand !== null, `${host} runs a proxy command`).to.equal(pc !== undefined);
      const pj = one(g, 'proxyjump');
      const ours = lookup.compute(host).proxyjump;
      expect(ours === undefined ? undefined : hops(ours), `${host} proxyjump`).to.deep.equal(pj === undefined ? undefined : hops(pj));
      expect(r.jump !== null, `${host} jumps`).to.equal(pj !== undefined);
    });
  }

  for (const host of HOSTS2) {
    it(`agrees on ${host} in a second config`, async () => {
      const second = join(home.sshDir, 'second.conf');
      await writeTree(home, TREE2);
      const ours = await loadSshConfig(second, { home: home.dir, localUser: me, checkPerms: false });
      const c2: ResolveContext = { ...ctx, sshConfig: ours };
      expectAgrees(await sshG(home.dir, second, host), resolveSettingsObject({ name: host }, c2), host);
    });
  }

  it('agrees on every hop of a ProxyJump chain (each hop resolved like `ssh -l USER -p PORT HOP`)', async () => {
    const r = resolveSettingsObject({ name: 'jumped' }, ctx);
    const spec = hops(one(await sshG(home.dir, config, 'jumped'), 'proxyjump') ?? '');
    const chain: ResolvedHost[] = [];
    for (let h = r.jump; h; h = h.jump) chain.unshift(h);
    expect(chain.map((h) => h.name)).to.deep.equal(spec.map((h) => h.alias));
    for (const [i, hop] of spec.entries()) {
      const extra = [...(hop.user !== undefined ? ['-l', hop.user] : []), ...(hop.port !== undefined ? ['-p', String(hop.port)] : [])];
      expectAgrees(await sshG(home.dir, config, hop.alias, extra), chain[i] as ResolvedHost, `hop ${hop.alias}`);
    }
  });

  it('fills the ProxyCommand tokens %h %p %r %n %k %% as ssh does', async () => {
    const r = resolveSettingsObject({ name: 'tokens' }, ctx);
    expect(`exec ${r.proxyCommand ?? ''}`).to.equal(await sshProxyCommandLine(home.dir, config, 'tokens'));
  });

  it('follows 16 levels of Include and refuses a 17th, like ssh', async () => {
    const chain: Record<string, string> = {};
    for (let i = 1; i <= 17; i++) chain[`.ssh/deep/${i}.conf`] = i === 17 ? 'Port 1717\n' : `Include deep/${i + 1}.conf\n`;
    await writeTree(home, { ...chain, '.ssh/sixteen.conf': 'Include deep/2.conf\n', '.ssh/seventeen.conf': 'Include deep/1.conf\n' });
    const sixteen = join(home.sshDir, 'sixteen.conf');
    const seventeen = join(home.sshDir, 'seventeen.conf');
    expect(one(await sshG(home.dir, sixteen, 'h'), 'port')).to.equal('1717');
    expect((await loadSshConfig(sixteen, { home: home.dir, localUser: me, checkPerms: false })).compute('h').port).to.equal('1717');
    expect(await sshG(home.dir, seventeen, 'h').then(() => '', (e: { stderr?: string }) => e.stderr ?? '')).to.match(/Too many recursive configuration includes/);
    const err = await loadSshConfig(seventeen, { home: home.dir, localUser: me, checkPerms: false }).then(() => null, (e: Error) => e);
    expect(err?.message).to.match(/deep\/16\.conf:1:1: Include nests more than 16 files deep/);
  });

  it('refuses what ssh refuses: Include loops, and included files others can write', async () => {
    const loop = join(home.sshDir, 'loop.conf');
    await writeTree(home, { '.ssh/loop.conf': 'Host never-matches\n  Include loop-b.conf\n', '.ssh/loop-b.conf': 'Include loop.conf\n' });
    const sshErr = await sshG(home.dir, loop, 'x').then(() => '', (e: { stderr?: string }) => e.stderr ?? '');
    expect(sshErr).to.match(/Too many recursive configuration includes/);
    const err = await loadSshConfig(loop, { home: home.dir, localUser: me, checkPerms: false }).then(() => null, (e: Error) => e);
    expect(err?.message).to.equal(`${join(home.sshDir, 'loop-b.conf')}:1:1: Include loop: ${loop} -> ${join(home.sshDir, 'loop-b.conf')} -> ${loop}`);

    const open = join(home.sshDir, 'open.conf');
    await writeTree(home, { '.ssh/open.conf': 'Include writable.conf\n', '.ssh/writable.conf': 'Port 2\n' });
    await chmod(join(home.sshDir, 'writable.conf'), 0o666);
    expect(await sshG(home.dir, open, 'x').then(() => '', (e: { stderr?: string }) => e.stderr ?? '')).to.match(/Bad owner or permissions/);
    const err2 = await loadSshConfig(open, { home: home.dir, localUser: me, checkPerms: false }).then(() => null, (e: Error) => e);
    expect(err2?.message).to.match(/open\.conf:1:1: bad owner or permissions on .*writable\.conf/);
    expect(err2).to.not.be.instanceOf(SshSettingsError); // the pool wraps it, naming the host
  });
});
