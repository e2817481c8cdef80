// Helpers for CloudStack's awkward facts against a scripted loopback server, and the integration-port
// probe against real sockets (open, refused) and a tunnel that never answers (filtered).
import net from 'node:net';
import { Duplex } from 'node:stream';
import { expect } from 'chai';
import { cloudstackVersion, getConfiguration, isIntegrationPortOpen, listAllRouters } from '../../src/cloudstack/helpers.js';
import { receivedSecrets, startFakeServer, type FakeServer } from './fake-server.js';
import { assertNoLeaks, harness, signedEndpoint } from './harness.js';

function config(name: string, value: string): Record<string, unknown> {
  return { category: 'Advanced', name, value, defaultvalue: '0', isdynamic: false };
}

describe('cloudstack/helpers', () => {
  let server: FakeServer;
  beforeEach(async () => {
    server = await startFakeServer(() => ({ json: {} }));
  });
  afterEach(async () => {
    assertNoLeaks(receivedSecrets(server));
    await server.close();
  });

  it('getConfiguration picks the exact name out of the substring match', async () => {
    server.handler = () => ({
      json: {
        listconfigurationsresponse: {
          count: 2,
          configuration: [config('integration.api.port.extra', '1'), config('integration.api.port', '8096')],
        },
      },
    });
    const h = harness(signedEndpoint(server.url));
    expect(await getConfiguration(h.client, 'integration.api.port')).to.deep.include({ name: 'integration.api.port', value: '8096' });
    expect(server.received[0]!.params).to.include({ command: 'listConfigurations', name: 'integration.api.port' });
    server.handler = () => ({ json: { listconfigurationsresponse: {} } });
    expect(await getConfiguration(h.client, 'no.such.setting')).to.equal(undefined);
    h.client.close();
  });

  it('listAllRouters lists with listall=true and again with projectid=-1, merged by id', async () => {
    server.handler = (r) =>
      r.params['projectid'] === '-1'
        ? { json: { listroutersresponse: { count: 2, router: [{ id: 'r2', name: 'r-2-VM' }, { id: 'p1', name: 'r-9-VM' }] } } }
        : { json: { listroutersresponse: { count: 2, router: [{ id: 'r1', name: 'r-1-VM' }, { id: 'r2', name: 'r-2-VM' }] } } };
    const h = harness(signedEndpoint(server.url));
    const all = await listAllRouters(h.client, { zoneid: 'z1' });
    expect(all.items.map((r) => r['id'])).to.deep.equal(['r1', 'r2', 'p1']);
    expect(all.count).to.equal(3);
    expect(server.received.map((r) => [r.params['listall'], r.params['projectid'], r.params['zoneid']])).to.deep.equal([
      ['true', undefined, 'z1'],
      ['true', '-1', 'z1'],
    ]);
    h.client.close();
  });

  it('cloudstackVersion reads listCapabilities and is undefined when the server hides it', async () => {
    server.handler = () => ({ json: { listcapabilitiesresponse: { capability: { cloudstackversion: '4.20.1.0' } } } });
    const h = harness(signedEndpoint(server.url));
    expect(await cloudstackVersion(h.client)).to.equal('4.20.1.0');
    server.handler = () => ({ json: { listcapabilitiesresponse: { capability: { securitygroupsenabled: false } } } });
    expect(await cloudstackVersion(h.client)).to.equal(undefined);
    h.client.close();
  });

  describe('isIntegrationPortOpen', () => {
    it('open when something listens, closed when refused', async () => {
      expect(await isIntegrationPortOpen('127.0.0.1', server.port)).to.equal('open');
      const port = server.port;
      await server.close();
      expect(await isIntegrationPortOpen('127.0.0.1', port)).to.equal('closed');
      await server.reopen();
    });

    it('through a tunnel: open, closed (refused by the far side) and filtered (no answer)', async () => {
      let opened: net.Socket | undefined;
      const viaOpen = async (host: string, port: number): Promise<Duplex> => {
        opened = net.connect(port, host);
        await new Promise((r) => opened!.once('connect', r));
        return opened;
      };
      expect(await isIntegrationPortOpen('127.0.0.1', server.port, viaOpen)).to.equal('open');
      expect(opened?.destroyed, 'the probe closes its connection').to.equal(true);

      const refused = async (): Promise<Duplex> => {
        throw new Error('(SSH) Channel open failure: Connection refused');
      };
      expect(await isIntegrationPortOpen('10.0.0.5', 8096, refused)).to.equal('closed');

      const silent = (): Promise<Duplex> => new Promise<Duplex>(() => undefined);
      expect(await isIntegrationPortOpen('10.0.0.5', 8096, silent, 20)).to.equal('filtered');
    });

    it('other failures are thrown', async () => {
      const broken = async (): Promise<Duplex> => {
        throw Object.assign(new Error('administratively prohibited'), { code: 'EPERM' });
      };
      let thrown: unknown;
      await isIntegrationPortOpen('10.0.0.5', 8096, broken).catch((e: unknown) => (thrown = e));
      expect(thrown).to.be.instanceOf(Error);
    });
  });
});
