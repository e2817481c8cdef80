// Session login, the integration port, tunnelled connections and retries while a management server
// restarts (refused → retried; reset → retried for reads only), with no secret in any error or event.
import net from 'node:net';
import { expect } from 'chai';
import { CloudStackApiError, CloudStackConfigError, CloudStackConnectionError } from '../../src/cloudstack/errors.js';
import { expectNoSecrets, receivedSecrets, startFakeServer, type FakeServer } from './fake-server.js';
import { assertNoLeaks, API_KEY, harness, PASSWORD, rejection, SECRET_KEY, signedEndpoint } from './harness.js';

const SESSION_KEY = 'sk-QWxhZGRpbjpvcGVuIHNlc2FtZQ';
const JSESSION = 'node0abcdefghijklmnop.node0';

describe('cloudstack/client modes and retries', () => {
  let server: FakeServer;
  beforeEach(async () => {
    server = await startFakeServer(() => ({ json: {} }));
  });
  afterEach(async () => {
    assertNoLeaks(receivedSecrets(server));
    await server.close();
  });

  describe('session mode', () => {
    let logins = 0;
    let expired = false;
    beforeEach(() => {
      logins = 0;
      expired = false;
      server.handler = (r) => {
        if (r.params['command'] === 'login') {
          if (r.method !== 'POST') return { status: 405, json: { loginresponse: { errorcode: 405, errortext: 'Please use HTTP POST' } } };
          if (r.params['password'] !== PASSWORD) {
            return {
              status: 531,
              json: { loginresponse: { uuidList: [], errorcode: 531, errortext: 'Failed to authenticate user admin in domain 1; please provide valid credentials' } },
            };
          }
          logins++;
          expired = false;
          return {
            json: { loginresponse: { username: 'admin', sessionkey: `${SESSION_KEY}${logins}`, timeout: 1800 } },
            headers: { 'Set-Cookie': [`JSESSIONID=${JSESSION}${logins}; Path=/client; HttpOnly`, `sessionkey=${SESSION_KEY}${logins};HttpOnly;SameSite=Lax`] },
          };
        }
        const cookie = r.headers.cookie ?? '';
        const key = `${SESSION_KEY}${logins}`;
        if (expired || r.params['sessionkey'] !== key || !cookie.includes(`sessionkey=${key}`) || !cookie.includes(`JSESSIONID=${JSESSION}${logins}`)) {
          return { status: 401, json: { listzonesresponse: { uuidList: [], errorcode: 401, errortext: 'unable to verify user credentials' } } };
        }
        return { json: { listzonesresponse: { count: 1, zone: [{ id: 'z1' }] } } };
      };
    });

    it('logs in over POST, then sends the sessionkey parameter and both cookies', async () => {
      const h = harness({ url: server.url, username: 'admin', password: PASSWORD, domain: '/' });
      expect((await h.client.list('listZones')).items).to.deep.equal([{ id: 'z1' }]);
      const login = server.received[0]!;
      expect(login.method).to.equal('POST');
      expect(login.params).to.include({ command: 'login', username: 'admin', domain: '/', response: 'json' });
      expect(login.rawQuery).to.equal('');
      expect(server.received[1]!.params).to.not.have.property('signature');
      expect(h.registered).to.include.members([PASSWORD, `${SESSION_KEY}1`, `${JSESSION}1`]);
      expectNoSecrets(h.events, [PASSWORD, ...receivedSecrets(server), `${JSESSION}1`]);
      h.client.close();
    });

    it('logs in again once on 401 (expired session) and repeats the call', async () => {
      const h = harness({ url: server.url, username: 'admin', password: PASSWORD });
      await h.client.call('listZones');
      expired = true;
      expect((await h.client.list('listZones')).count).to.equal(1);
      expect(logins).to.equal(2);
      expect(h.events.filter((e) => e.type === 'login').map((e) => e.type === 'login' && e.relogin)).to.deep.equal([false, true]);
      h.client.close();
    });

    it('bad credentials: 531 from login, without the password in the error', async () => {
      const h = harness({ url: server.url, username: 'admin', password: 'wrong-password' });
      const err = (await rejection(h.client.call('listZones'))) as CloudStackApiError;
      expect(err).to.be.instanceOf(CloudStackApiError);
      expect(err).to.include({ command: 'login', httpStatus: 531 });
      expect(err.message).to.include('Failed to authenticate').and.include('password=***');
      expectNoSecrets([err, ...h.events], ['wrong-password']);
      h.client.close();
    });
  });

  it('integration mode: http://<ms host>:<port>/client/api, GET, no signature or key', async () => {
    server.handler = () => ({ json: { listcapabilitiesresponse: { capability: {} } } });
    const h = harness({ url: 'https://127.0.0.1:1/client/api', integrationPort: server.port, apiKey: API_KEY, secretKey: SECRET_KEY });
    await h.client.call('updateConfiguration', { name: 'integration.api.port', value: 0 }, { mode: 'integration' });
    const r = server.received[0]!;
    expect(r.method).to.equal('GET');
    expect(r.path).to.equal('/client/api');
    expect(r.params).to.include({ command: 'updateConfiguration', value: '0', response: 'json' });
    expect(r.params).to.not.have.any.keys('apiKey', 'signature', 'sessionkey', 'expires');
    h.client.close();
  });

  it('an endpoint without credentials fails with CloudStackConfigError', async () => {
    const h = harness({ url: server.url });
    expect(await rejection(h.client.call('listZones'))).to.be.instanceOf(CloudStackConfigError);
  });

  it('refuses to connect directly when the endpoint is reached via a jump host but no tunnel was given', () => {
    expect(() => harness(signedEndpoint(server.url, { via: 'bastion' }))).to.throw(CloudStackConfigError, /via bastion/);
  });

  it('routes connections through `connect` (the SSH tunnel seam)', async () => {
    server.handler = () => ({ json: { listzonesresponse: {} } });
    const dialed: string[] = [];
    const h = harness(signedEndpoint('http://ms1.example.invalid:8080/client/api'), {
      connect: async (host, port) => {
        dialed.push(`${host}:${port}`);
        return net.connect(server.port, '127.0.0.1');
      },
    });
    await h.client.call('listZones');
    await h.client.call('listZones');
    expect(dialed[0]).to.equal('ms1.example.invalid:8080');
    expect(server.received).to.have.length(2);
    expect(server.received[0]!.headers.host).to.equal('ms1.example.invalid:8080');
    h.client.close();
  });

  describe('retries while the management server restarts', () => {
    it('connection refused, then the server is back: the call succeeds after bounded retries', async () => {
      server.handler = () => ({ json: { listcapabilitiesresponse: { capability: { cloudstackversion: '4.20.1.0' } } } });
      await server.close();
      let waits = 0;
      const h = harness(signedEndpoint(server.url), {
        sleep: async () => {
          waits++;
          if (waits === 2) await server.reopen();
        },
      });
      const res = await h.client.call('listCapabilities');
      expect(res).to.have.property('capability');
      const retries = h.events.filter((e) => e.type === 'retry');
      expect(retries.map((e) => e.type === 'retry' && e.reason)).to.deep.equal(['refused', 'refused']);
      expect(server.received).to.have.length(1);
      h.client.close();
    });

    it('a state-changing call is also retried when refused (the request never reached the server)', async () => {
      server.handler = () => ({ json: { stopsystemvmresponse: { jobid: 'j' } } });
      await server.close();
      const h = harness(signedEndpoint(server.url), { sleep: () => server.reopen() });
      expect(await h.client.call('stopSystemVm', { id: 'x' })).to.deep.equal({ jobid: 'j' });
      h.client.close();
    });

    it('refused forever: gives up after the configured retries with a clear error and no secrets', async () => {
      await server.close();
      const h = harness(signedEndpoint(server.url), { retry: { retries: 2, delayMs: 750 } });
      const err = (await rejection(h.client.call('listSystemVms'))) as CloudStackConnectionError;
      expect(err).to.be.instanceOf(CloudStackConnectionError);
      expect(err).to.include({ code: 'refused', attempts: 3, command: 'listSystemVms' });
      expect(err.message).to.include(`connection refused by 127.0.0.1:${server.port}`).and.include('3 attempts');
      expect(h.sleeps).to.deep.equal([750, 750]);
      expectNoSecrets([err, ...h.events], [API_KEY, SECRET_KEY, ...h.registered.filter((v) => v !== API_KEY && v !== SECRET_KEY)]);
      await server.reopen();
    });

    it('connection reset: a read is retried, a state-changing call is not (it may have been executed)', async () => {
      let n = 0;
      server.handler = () => (n++ === 0 ? { reset: true } : { json: { listzonesresponse: {} } });
      const h = harness(signedEndpoint(server.url));
      expect(await h.client.list('listZones')).to.deep.equal({ count: 0, items: [] });
      expect(server.received).to.have.length(2);

      n = 0;
      const err = (await rejection(h.client.call('rebootRouter', { id: 'r1' }))) as CloudStackConnectionError;
      expect(err).to.be.instanceOf(CloudStackConnectionError);
      expect(err).to.include({ code: 'reset', attempts: 1 });
      expect(err.message).to.include('not retried');
      expect(server.received).to.have.length(3);
      expectNoSecrets([err, ...h.events], [API_KEY, SECRET_KEY, ...receivedSecrets(server)]);
      h.client.close();
    });
  });
});
