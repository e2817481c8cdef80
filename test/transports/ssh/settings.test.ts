// Settings resolution: inventory values win over ~/.ssh/config, ProxyJump chains and cycles.
import { expect } from 'chai';
import { SshSettingsError } from '../../../src/transports/ssh/errors.js';
import { parseHop, resolveHost, type ResolveContext, type ResolvedHost } from '../../../src/transports/ssh/settings.js';
import { parseSshConfig } from '../../../src/transports/ssh/ssh-config.js';
import { hostLookup, type HostTable } from './fixture.js';

function ctx(table: HostTable, config = ''): ResolveContext {
  return { hosts: hostLookup(table), sshConfig: parseSshConfig(config), homeDir: '/home/op', localUser: 'op', defaultConnectTimeoutMs: 10_000 };
}

function chain(h: ResolvedHost): string[] {
  const out: string[] = [];
  for (let x: ResolvedHost | null = h; x; x = x.jump) out.push(`${x.user}@${x.address}:${x.port}`);
  return out;
}

describe('transports/ssh settings', () => {
  const config = `
Host mgmt1
  HostName 10.1.1.5
  User cloud
  Port 2222
  IdentityFile ~/.ssh/mgmt_key
  IdentityFile %d/.ssh/%r@%h
  HostKeyAlias mgmt-alias
Host behind
  ProxyJump bastion-user@bastion.example:2200,mgmt1
Host inner
  ProxyJump outer
Host outer
  ProxyJump inner
Host strict
  IdentitiesOnly yes
  ConnectTimeout 3
`;

  it('fills gaps from ssh config, with tokens expanded', () => {
    const h = resolveHost('mgmt1', ctx({ mgmt1: {} }, config));
    expect(h).to.include({ address: '10.1.1.5', user: 'cloud', port: 2222, knownHostsName: 'mgmt-alias', useDefaultKeys: false });
    expect(h.keyFiles).to.deep.equal(['/home/op/.ssh/mgmt_key', '/home/op/.ssh/cloud@10.1.1.5']);
  });

  it('lets the inventory override ssh config', () => {
    const h = resolveHost('mgmt1', ctx({ mgmt1: { address: '192.168.0.9', user: 'root', port: 22, keyFile: '/k' } }, config));
    expect(h).to.include({ address: '192.168.0.9', user: 'root', port: 22 });
    expect(h.keyFiles).to.deep.equal(['/k']);
  });

  it('defaults: name as address, port 22, local user, default keys, [addr]:port naming', () => {
    const h = resolveHost('plain', ctx({ plain: { port: 2200 } }));
    expect(h).to.include({ address: 'plain', port: 2200, user: 'op', useDefaultKeys: true, useAgent: true, knownHostsName: '[plain]:2200' });
    expect(h.jump).to.equal(null);
  });

  it('reads IdentitiesOnly and ConnectTimeout', () => {
    const h = resolveHost('strict', ctx({ strict: {} }, config));
    expect(h.useAgent).to.equal(false);
    expect(h.connectTimeoutMs).to.equal(3000);
  });

  it('resolves a ProxyJump chain: first hop through ssh config, later hops through inventory', () => {
    const h = resolveHost('behind', ctx({ behind: { address: '10.9.9.9' }, mgmt1: {} }, config));
    expect(chain(h)).to.deep.equal(['op@10.9.9.9:22', 'cloud@10.1.1.5:2222', 'bastion-user@bastion.example:2200']);
    expect(h.jump?.id).to.equal('mgmt1 via bastion-user@bastion.example:2200');
  });

  it('prefers the inventory jump over ProxyJump, and "none" disables both', () => {
    const t: HostTable = { behind: { jump: 'j' }, j: { address: '127.0.0.2' } };
    expect(chain(resolveHost('behind', ctx(t, config)))).to.deep.equal(['op@behind:22', 'op@127.0.0.2:22']);
    expect(resolveHost('behind', ctx({ behind: { jump: 'none' } }, config)).jump).to.equal(null);
  });

  it('rejects jump cycles with the whole loop in the message', () => {
    expect(() => resolveHost('inner', ctx({ inner: {} }, config))).to.throw(SshSettingsError, /jump host cycle: inner -> outer -> inner/);
    const t: HostTable = { a: { jump: 'b' }, b: { jump: 'c' }, c: { jump: 'a' } };
    expect(() => resolveHost('a', ctx(t))).to.throw(SshSettingsError, 'jump host cycle: a -> b -> c -> a');
    expect(() => resolveHost('self', ctx({ self: { jump: 'self' } }))).to.throw(SshSettingsError, /self -> self/);
  });

  it('rejects unknown hosts and bad jump specs', () => {
    expect(() => resolveHost('nope', ctx({}))).to.throw(SshSettingsError, /not in the inventory/);
    expect(() => resolveHost('x', ctx({ x: { jump: 'a b' } }))).to.throw(SshSettingsError, /bad jump host/);
    expect(() => parseHop('h:99999', 'x')).to.throw(SshSettingsError, /bad port/);
    expect(parseHop('ssh://u@[::1]:2200', 'x')).to.deep.equal({ alias: '::1', user: 'u', port: 2200 });
  });
});
