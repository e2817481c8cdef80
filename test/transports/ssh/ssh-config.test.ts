// ssh_config reading without a server: line syntax, refusals with file:line:col, Include edge cases,
// Match rules we decided (exec never runs), and how ProxyCommand meets the inventory's settings.
import { expect } from 'chai';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createSshPool, SshSettingsError } from '../../../src/transports/ssh/index.js';
import { resolveHost, type ResolveContext } from '../../../src/transports/ssh/settings.js';
import { splitLine } from '../../../src/transports/ssh/ssh-config-lines.js';
import { loadSshConfig, parseSshConfig, SshConfigError } from '../../../src/transports/ssh/ssh-config.js';
import { hostLookup, tempHome, type HostTable, type TempHome } from './fixture.js';

function ctx(table: HostTable, config: string): ResolveContext {
  return { hosts: hostLookup(table), sshConfig: parseSshConfig(config, { localUser: 'op' }), homeDir: '/users/op', localUser: 'op', defaultConnectTimeoutMs: 10_000 };
}

function refusal(text: string): string {
  try {
    parseSshConfig(text, { file: 'cfg' });
  } catch (err) {
    expect(err).to.be.instanceOf(SshConfigError);
    return (err as Error).message;
  }
  throw new Error('expected the config to be refused');
}

describe('transports/ssh config lines', () => {
  it('splits keywords and arguments as OpenSSH does', () => {
    expect(splitLine('  PORT = 2222 \t\r')).to.include({ keyword: 'port', rest: '2222' });
    expect(splitLine('   # only a comment')).to.equal(null);
    const c = parseSshConfig([
      'Host "with space" b\\ c d # a comment, not a pattern',
      '  User a"b c"d',
      '  Port=2201',
      '  ProxyCommand nc %h %p # kept: the shell sees it',
      'Host comment', '  User x', 'Host a',
    ].join('\r\n'));
    // as `ssh -G d` prints it for the same file (OpenSSH 9.2)
    expect(c.compute('d')).to.deep.equal({ user: 'ab cd', port: '2201', proxycommand: 'nc %h %p # kept: the shell sees it' });
    expect(c.compute('b c').user).to.equal('ab cd');
    expect(c.compute('#')).to.deep.equal({});
    expect(c.compute('comment')).to.deep.equal({ user: 'x' });
  });

  it('refuses what ssh refuses, at file:line:col', () => {
    expect(refusal('\n\nHost "unclosed\n')).to.equal('cfg:3:6: unterminated quote');
    expect(refusal('User\n')).to.equal('cfg:1:1: no argument after keyword "user"');
    expect(refusal('Host a\n  User one two\n')).to.equal('cfg:2:8: user: extra arguments at end of line');
    expect(refusal('Match hots web\n')).to.equal("cfg:1:7: unsupported Match criterion 'hots'");
    expect(refusal('Match all host web\n')).to.equal("cfg:1:7: Match 'all' cannot be combined with other criteria");
    expect(refusal('Match host\n')).to.equal('cfg:1:7: Match host: missing argument');
    expect(refusal('Host ""\n')).to.equal('cfg:1:6: host: empty argument');
  });
});

describe('transports/ssh config rules', () => {
  it('lets `Match user` see the inventory user, as ssh does for `-l USER`, and never runs Match exec', () => {
    const c = parseSshConfig([
      'Match user deploy', '  Port 2201',
      'Match exec true', '  User from-exec', 'Match !exec false', '  HostName from-exec',
    ].join('\n'), { localUser: 'op' });
    expect(c.compute('h', { user: 'deploy' })).to.deep.equal({ port: '2201' });
    expect(c.compute('h')).to.deep.equal({});
  });

  it('takes whichever of ProxyJump and ProxyCommand comes first; `ProxyJump none` only stops later ProxyJumps', () => {
    // Since OpenSSH 10.3 (openssh-portable 0a0ef4515, in Debian 12's 9.2p1 as a backport) a
    // `ProxyJump none` no longer hides a later ProxyCommand.
    const c = parseSshConfig([
      'Host cmd-first', '  ProxyCommand nc %h %p', '  ProxyJump j',
      'Host jump-first', '  ProxyJump j', '  ProxyCommand nc %h %p',
      'Host cmd-none', '  ProxyCommand none', '  ProxyJump j',
      'Host jump-none', '  ProxyJump none', '  ProxyJump j', '  ProxyCommand nc %h %p',
    ].join('\n'));
    expect(c.compute('cmd-first')).to.deep.equal({ proxycommand: 'nc %h %p' });
    expect(c.compute('jump-first')).to.deep.equal({ proxyjump: 'j' });
    expect(c.compute('cmd-none')).to.deep.equal({});
    expect(c.compute('jump-none')).to.deep.equal({ proxycommand: 'nc %h %p' });
  });

  it('fills ProxyCommand tokens once, left to right, and lets the inventory jump win over it', () => {
    const config = 'Host *\n  User cfg\n  ProxyCommand connect %h:%p as %r for %n, not %%h\n';
    const h = resolveHost('web', ctx({ web: { address: 'Web.Example', port: 2200 } }, config));
    expect(h.proxyCommand).to.equal('connect web.example:2200 as cfg for web, not %h');
    expect(h.jump).to.equal(null);
    expect(resolveHost('web', ctx({ web: { jump: 'none' } }, config)).proxyCommand).to.equal(null);
    const viaInventory = resolveHost('web', ctx({ web: { jump: 'bastion' }, bastion: {} }, config));
    expect(viaInventory.proxyCommand).to.equal(null);
    expect(viaInventory.jump?.name).to.equal('bastion');
    expect(viaInventory.jump?.proxyCommand).to.equal('connect bastion:22 as cfg for bastion, not %h'); // the jump host's own
  });

  it('refuses a ProxyCommand it cannot run safely or at all', () => {
    const cases: Array<[HostTable, string, RegExp]> = [
      [{ web: { address: 'a;reboot' } }, 'Host *\n  ProxyCommand nc %h %p', /web: refusing to run ProxyCommand "nc %h %p": %h would insert "a;reboot"/],
      [{ web: { user: '-oProxyCommand=x' } }, 'Host *\n  ProxyCommand ssh -l %r -W %h:%p b', /%r would insert "-oProxyCommand=x"/],
      [{ web: {} }, 'Host *\n  ProxyCommand nc %h %x', /web: ProxyCommand "nc %h %x": unknown token %x \(it accepts %% %h %p %r %n %k\) in ssh config/],
      [{ web: {} }, 'Host *\n  ProxyCommand -', /ProxyCommand - \(ssh's own stdin and stdout\) is not supported/],
      [{ web: {} }, 'Host *\n  ProxyUseFdpass yes\n  ProxyCommand fd-passer %h', /ProxyUseFdpass yes is not supported/],
    ];
    for (const [table, config, message] of cases) {
      expect(() => resolveHost('web', ctx(table, config))).to.throw(SshSettingsError, message);
    }
  });
});

describe('transports/ssh config files', () => {
  let home: TempHome;
  beforeEach(async () => {
    home = await tempHome();
  });
  afterEach(() => home.remove());

  const write = async (rel: string, text: string, mode = 0o600): Promise<string> => {
    const p = join(home.sshDir, rel);
    await mkdir(join(p, '..'), { recursive: true });
    await writeFile(p, text);
    await chmod(p, mode);
    return p;
  };
  const load = (path: string) => loadSshConfig(path, { home: home.dir, localUser: 'op', checkPerms: true });

  it('follows 16 levels of Include and refuses the 17th, as ssh does', async () => {
    for (let i = 1; i <= 17; i++) await write(`deep/${i}.conf`, i === 17 ? 'Port 17\n' : `Include deep/${i + 1}.conf\n`);
    await write('sixteen', 'Include deep/2.conf\n');
    expect((await load(join(home.sshDir, 'sixteen'))).compute('h')).to.deep.equal({ port: '17' });
    const err = await load(await write('seventeen', 'Include deep/1.conf\n')).then(() => null, (e: Error) => e);
    expect(err).to.be.instanceOf(SshConfigError);
    expect(err?.message).to.equal(`${join(home.sshDir, 'deep/16.conf')}:1:1: Include nests more than 16 files deep (ssh refuses that too)`);
  });

  it('skips missing files, directories and dot files; reads the rest in byte order', async () => {
    await write('d/B.conf', 'User from-B\n');
    await write('d/a.conf', 'User from-a\n');
    await write('d/.hidden.conf', 'User hidden\n');
    await mkdir(join(home.sshDir, 'd', '0.conf'));
    const main = await write('config', 'Include nope.conf d/*.conf ~/.ssh/also-missing/*\n');
    expect((await load(main)).compute('h')).to.deep.equal({ user: 'from-B' }); // 'B' (0x42) sorts before 'a'
  });

  it('checks the owner and mode of ~/.ssh/config itself when the pool reads the default file', async () => {
    await write('config', 'Host *\n  Port 2\n', 0o664);
    const pool = createSshPool({ hosts: hostLookup({ web: {} }), homeDir: home.dir, userKnownHosts: home.knownHosts, systemKnownHosts: null, agentSocket: null });
    try {
      const err = await pool.get('web').then(() => null, (e: Error) => e);
      expect(err).to.be.instanceOf(SshSettingsError);
      expect((err as SshSettingsError).host).to.equal('web');
      expect(err?.message).to.equal(`cannot use the ssh config: ${home.sshConfig}:1:1: bad owner or permissions on ${home.sshConfig}: ` +
        'ssh requires it to be owned by you or root and not writable by group or others');
    } finally {
      await pool.closeAll();
    }
  });
});
