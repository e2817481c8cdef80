// Client calls against a scripted loopback server: signed requests as the server receives them,
// unwrapping, lists (the empty list has no count), paging, and error bodies mapped to typed errors.
import { expect } from 'chai';
import { CloudStackApiError, CloudStackResponseError } from '../../src/cloudstack/errors.js';
import { computeSignature } from '../../src/cloudstack/signing.js';
import { expectNoSecrets, receivedSecrets, startFakeServer, type FakeServer } from './fake-server.js';
import { assertNoLeaks, API_KEY, harness, rejection, SECRET_KEY, signedEndpoint } from './harness.js';

describe('cloudstack/client calls', () => {
  let server: FakeServer;
  beforeEach(async () => {
    server = await startFakeServer(() => ({ json: {} }));
  });
  afterEach(async () => {
    assertNoLeaks(receivedSecrets(server));
    await server.close();
  });

  it('signs with v3 by default; the signature verifies over the parameters as the server decodes them', async () => {
    server.handler = () => ({ json: { listsystemvmsresponse: {} } });
    const h = harness(signedEndpoint(server.url));
    await h.client.call('listSystemVms', { keyword: 'a b+c~d*e/é', zoneid: undefined, page: 1 });
    const r = server.received[0]!;
    expect(r.method).to.equal('GET');
    expect(r.path).to.equal('/client/api');
    expect(r.params).to.include({
      command: 'listSystemVms',
      keyword: 'a b+c~d*e/é',
      page: '1',
      response: 'json',
      apiKey: API_KEY,
      signatureVersion: '3',
      expires: '2025-11-24T14:05:00+0000',
    });
    expect(r.params).to.not.have.property('zoneid');
    // Spaces travel as %20 and '+' as %2B, so a servlet decodes the same values that were signed.
    expect(r.rawQuery).to.include('keyword=a%20b%2Bc%7Ed*e%2F%C3%A9');
    expect(r.params['signature']).to.equal(computeSignature(r.params, SECRET_KEY));
    h.client.close();
  });

  it('signs with v2 when asked: no expires, no signatureVersion', async () => {
    server.handler = () => ({ json: { listzonesresponse: {} } });
    const h = harness(signedEndpoint(server.url, { signatureVersion: 2 }));
    await h.client.call('listZones');
    const r = server.received[0]!;
    expect(r.params).to.not.have.property('expires');
    expect(r.params).to.not.have.property('signatureVersion');
    expect(r.params['signature']).to.equal(computeSignature(r.params, SECRET_KEY));
    h.client.close();
  });

  it('sends state-changing commands as POST with a form body (GET when asked)', async () => {
    server.handler = () => ({ json: { updateconfigurationresponse: { configuration: { name: 'x', value: '1' } } } });
    const h = harness(signedEndpoint(server.url));
    const res = await h.client.call('updateConfiguration', { name: 'integration.api.port', value: 8096 });
    expect(res).to.deep.equal({ configuration: { name: 'x', value: '1' } });
    const post = server.received[0]!;
    expect(post.method).to.equal('POST');
    expect(post.rawQuery).to.equal('');
    expect(post.params).to.include({ command: 'updateConfiguration', value: '8096' });
    expect(post.params['signature']).to.equal(computeSignature(post.params, SECRET_KEY));
    await h.client.call('updateConfiguration', { name: 'a', value: '0' }, { method: 'GET' });
    expect(server.received[1]!.method).to.equal('GET');
    h.client.close();
  });

  it('registers every signature with the secrets sink and never shows one in events', async () => {
    server.handler = () => ({ json: { listzonesresponse: {} } });
    const h = harness(signedEndpoint(server.url));
    await h.client.call('listZones');
    await h.client.call('listZones');
    const sigs = receivedSecrets(server);
    expect(sigs).to.have.length(2);
    expect(h.registered).to.include.members([API_KEY, SECRET_KEY, ...sigs]);
    expect(h.events.filter((e) => e.type === 'request')).to.have.length(2);
    expectNoSecrets(h.events, [API_KEY, SECRET_KEY, ...sigs]);
    h.client.close();
  });

  it('unwraps <cmd>response, and lists: items by object name, count 0 for the empty list without count', async () => {
    const h = harness(signedEndpoint(server.url));
    server.handler = () => ({ json: { listcapabilitiesresponse: { capability: { cloudstackversion: '4.20.1.0' } } } });
    expect(await h.client.call('listCapabilities')).to.deep.equal({ capability: { cloudstackversion: '4.20.1.0' } });

    server.handler = () => ({ json: { listsystemvmsresponse: {} } });
    expect(await h.client.list('listSystemVms')).to.deep.equal({ count: 0, items: [] });

    server.handler = () => ({ json: { listroutersresponse: { count: 2, router: [{ id: 'a' }, { id: 'b' }] } } });
    expect(await h.client.list('listRouters')).to.deep.equal({ count: 2, items: [{ id: 'a' }, { id: 'b' }] });
    expect(await h.client.list('listRouters', {}, 'systemvm')).to.deep.equal({ count: 2, items: [] });

    server.handler = () => ({ json: { upgraderoutertemplateresponse: { count: 1, asyncjobs: [{ jobid: 'j1' }] } } });
    expect((await h.client.list('upgradeRouterTemplate', { zoneid: 'z' }, 'asyncjobs')).items).to.deep.equal([{ jobid: 'j1' }]);
    h.client.close();
  });

  it('listAll pages with page/pagesize until count is reached', async () => {
    const rows = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id }));
    server.handler = (r) => {
      const page = Number(r.params['page']);
      const size = Number(r.params['pagesize']);
      const slice = rows.slice((page - 1) * size, page * size);
      return { json: { listroutersresponse: slice.length ? { count: rows.length, router: slice } : {} } };
    };
    const h = harness(signedEndpoint(server.url));
    const all = await h.client.listAll('listRouters', { listall: true }, { pageSize: 2 });
    expect(all.count).to.equal(5);
    expect(all.items.map((i) => i['id'])).to.deep.equal(['a', 'b', 'c', 'd', 'e']);
    expect(server.received.map((r) => r.params['page'])).to.deep.equal(['1', '2', '3']);
    expect(server.received.every((r) => r.params['pagesize'] === '2' && r.params['listall'] === 'true')).to.equal(true);
    h.client.close();
  });

  it('listAll stops on an empty page even if count was not reached', async () => {
    server.handler = (r) =>
      r.params['page'] === '1'
        ? { json: { listroutersresponse: { count: 9, router: [{ id: 'a' }, { id: 'b' }] } } }
        : { json: { listroutersresponse: {} } };
    const h = harness(signedEndpoint(server.url));
    const all = await h.client.listAll('listRouters', {}, { pageSize: 2 });
    expect(all.items).to.have.length(2);
    expect(server.received).to.have.length(2);
    h.client.close();
  });

  it('maps 431 with cserrorcode to CloudStackApiError', async () => {
    server.handler = () => ({
      status: 431,
      json: {
        updateconfigurationresponse: {
          uuidList: [],
          errorcode: 431,
          cserrorcode: 4350,
          errortext: 'Value [abc] is not a valid [class java.lang.Integer].',
        },
      },
    });
    const h = harness(signedEndpoint(server.url));
    const err = await rejection(h.client.call('updateConfiguration', { name: 'integration.api.port', value: 'abc' }));
    expect(err).to.be.instanceOf(CloudStackApiError);
    const e = err as CloudStackApiError;
    expect(e).to.include({ command: 'updateConfiguration', httpStatus: 431, errorcode: 431, cserrorcode: 4350, endpoint: 'ms1' });
    expect(e.errortext).to.equal('Value [abc] is not a valid [class java.lang.Integer].');
    expect(e.message).to.include('updateConfiguration on ms1 failed (HTTP 431, cserrorcode 4350)');
    expect(e.message).to.match(/apiKey=\*\*\*/).and.to.match(/signature=\*\*\*/);
    expectNoSecrets([err, ...h.events], [API_KEY, SECRET_KEY, ...receivedSecrets(server)]);
    h.client.close();
  });

  it('401 (errorresponse, no cserrorcode) says "unknown command or bad credentials"', async () => {
    const text = 'unable to verify user credentials and/or request signature';
    server.handler = () => ({ status: 401, json: { errorresponse: { uuidList: [], errorcode: 401, errortext: text } } });
    const h = harness(signedEndpoint(server.url));
    const err = (await rejection(h.client.call('patchSystemVm', { id: 'x' }))) as CloudStackApiError;
    expect(err).to.be.instanceOf(CloudStackApiError);
    expect(err.httpStatus).to.equal(401);
    expect(err.cserrorcode).to.equal(undefined);
    expect(err.message).to.include(text).and.include('unknown command or bad credentials');
    expectNoSecrets([err, ...h.events], [API_KEY, SECRET_KEY, ...receivedSecrets(server)]);
    h.client.close();
  });

  it('432 says unsupported/unknown command', async () => {
    server.handler = () => ({
      status: 432,
      json: { errorresponse: { uuidList: [], errorcode: 432, cserrorcode: 9999, errortext: 'Unknown API command: fooBar' } },
    });
    const h = harness({ url: server.url, integrationPort: server.port });
    const err = (await rejection(h.client.call('fooBar'))) as CloudStackApiError;
    expect(err.httpStatus).to.equal(432);
    expect(err.cserrorcode).to.equal(9999);
    expect(err.message).to.include('unsupported/unknown command').and.include('Unknown API command: fooBar');
    h.client.close();
  });

  it('a non-JSON error page keeps the status and the X-Description or reason phrase', async () => {
    server.handler = () => ({ status: 502, text: '<html>bad gateway</html>', headers: { 'X-Description': 'upstream down' } });
    const h = harness(signedEndpoint(server.url));
    const err = (await rejection(h.client.call('listZones'))) as CloudStackApiError;
    expect(err).to.be.instanceOf(CloudStackApiError);
    expect(err.httpStatus).to.equal(502);
    expect(err.errortext).to.equal('upstream down');
    h.client.close();
  });

  it('a 200 that is not CloudStack JSON is a CloudStackResponseError', async () => {
    server.handler = () => ({ text: '<?xml version="1.0"?><listzonesresponse/>' });
    const h = harness(signedEndpoint(server.url));
    const err = await rejection(h.client.call('listZones'));
    expect(err).to.be.instanceOf(CloudStackResponseError);
    expect(err.message).to.include('not JSON');
    expectNoSecrets([err], [API_KEY, SECRET_KEY, ...receivedSecrets(server)]);
    h.client.close();
  });
});
