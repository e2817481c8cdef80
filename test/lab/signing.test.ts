// Signature verification on the 8080 servlet: vectors from the JDK and python3-cs, the encoding rules of
// ApiServer.verifyRequest, signature v3 expiry and the opaque 401 of ApiServlet.

import { expect } from 'chai';
import { canonicalString, computeSignature, javaUrlEncode, parseExpires } from '../../src/lab/api/signing.js';
import { api, request, stopLabs, testLab } from './helpers.js';
import { ManualClock } from '../../src/lab/index.js';

describe('lab signing', () => {
  afterEach(stopLabs);

  it('encodes values like java.net.URLEncoder with + as %20', () => {
    expect(javaUrlEncode('a b*c_d.e-f')).to.equal('a%20b*c_d.e-f');
    expect(javaUrlEncode("~+/=,:'()!")).to.equal('%7E%2B%2F%3D%2C%3A%27%28%29%21');
    expect(javaUrlEncode('zö€')).to.equal('z%C3%B6%E2%82%AC');
  });

  it('matches a vector computed with the JDK (URLEncoder, Collections.sort, HmacSHA1)', () => {
    const p: Array<[string, string]> = [
      ['command', 'listRouters'], ['apiKey', 'k'], ['response', 'json'], ['keyword', "a~b c*d_e.f-g'h(i)!j/k+l=m,n:o"],
      ['Zeta', '1'], ['alpha', '2'], ['name', 'zöne ünïcode €'],
    ];
    expect(canonicalString(p)).to.equal(
      'zeta=1&alpha=2&apikey=k&command=listrouters&keyword=a%7eb%20c*d_e.f-g%27h%28i%29%21j%2fk%2bl%3dm%2cn%3ao&name=z%c3%b6ne%20%c3%bcn%c3%afcode%20%e2%82%ac&response=json',
    );
    expect(computeSignature(p, 'secret-key')).to.equal('QkRrVv65hO/OK3blSfdtIvQ+duI=');
  });

  it('matches vectors computed with python3-cs', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ command: 'listRouters', apiKey: 'k', response: 'json', listall: 'true' }, 'PlUbsi7qU+nt7/D9ZWN0utC1sLk='],
      [{ command: 'updateConfiguration', apiKey: 'k', response: 'json', name: 'integration.api.port', value: '8096' }, 'FxukMkA82v6eiwN9Nkino831/2Q='],
      [{ command: 'listRouters', apiKey: 'k', response: 'json', keyword: "a b*c/d+e=f,g:h(i)!j'k", Zeta: '1', alpha: '2' }, 'Xmhw0ukLhqGM81D+yKnKuwwZRYY='],
      [{ command: 'listZones', apiKey: 'k', response: 'json', name: 'zöne ünïcode' }, 'xEOyfsXV8E84pUYDKwbsyrId/ec='],
      [{ command: 'listRouters', apiKey: 'k', response: 'json', signatureVersion: '3', expires: '2030-01-01T00:00:00+0000' }, 'swvgq05pkuRykGcbYFMhzRmy4YE='],
    ];
    for (const [params, sig] of cases) expect(computeSignature(Object.entries(params), 'secret-key')).to.equal(sig);
  });

  it('parses every accepted expires format and rejects others', () => {
    const t = Date.UTC(2030, 0, 1, 12, 0, 0);
    expect(parseExpires('2030-01-01T12:00:00+0000')).to.equal(t);
    expect(parseExpires('2030-01-01T13:00:00+01:00')).to.equal(t);
    expect(parseExpires('2030-01-01T12:00:00Z')).to.equal(t);
    expect(parseExpires('2030-01-01T12:00:00.123456Z')).to.equal(t + 123);
    expect(parseExpires('2030-01-01T12:00:00Z+0000')).to.equal(t);
    expect(parseExpires('2030-01-01 12:00:00')).to.equal(undefined);
    expect(parseExpires('tomorrow')).to.equal(undefined);
  });

  it('accepts v2 over GET and POST and rejects a bad signature with the opaque 401', async () => {
    const lab = await testLab();
    expect((await api(lab, { command: 'listZones' })).status).to.equal(200);
    expect((await api(lab, { command: 'listZones' }, { method: 'POST' })).status).to.equal(200);
    const bad = await api(lab, { command: 'listZones' }, { secret: 'wrong' });
    expect(bad.status).to.equal(401);
    expect(bad.json).to.deep.equal({
      listzonesresponse: { uuidList: [], errorcode: 401, errortext: 'unable to verify user credentials and/or request signature' },
    });
    expect(bad.headers['x-description']).to.equal('unable to verify user credentials and/or request signature');
  });

  it('rejects unsigned calls, a wrong apiKey and tampered parameters', async () => {
    const lab = await testLab();
    expect((await api(lab, { command: 'listCapabilities' }, { unsigned: true })).status).to.equal(401);
    const tampered = new URL(lab.apiUrl);
    const good = await api(lab, { command: 'listZones', name: 'zone1' });
    expect(good.status).to.equal(200);
    const p = new URLSearchParams({ command: 'listZones', name: 'zone1', response: 'json', apiKey: 'nope' });
    p.set('signature', 'AAAA');
    tampered.search = p.toString();
    expect((await request(tampered.toString())).status).to.equal(401);
  });

  it('sorts parameter names case-sensitively (uppercase before lowercase)', async () => {
    const lab = await testLab();
    const r = await api(lab, { command: 'listZones', Name: 'zone1', alpha: 'x y*z' });
    expect(r.status).to.equal(200);
  });

  it('verifies signature v3: valid expires passes, past expires is 401, missing expires is 401', async () => {
    const clock = new ManualClock(Date.UTC(2030, 0, 1, 12, 0, 0));
    const lab = await testLab({ clock });
    expect((await api(lab, { command: 'listZones' }, { v3: { expires: '2030-01-01T12:10:00+0000' } })).status).to.equal(200);
    expect((await api(lab, { command: 'listZones' }, { v3: { expires: '2030-01-01T11:59:59+0000' } })).status).to.equal(401);
    expect((await api(lab, { command: 'listZones' }, { v3: { expires: 'soon' } })).status).to.equal(401);
    expect((await api(lab, { command: 'listZones', signatureVersion: '3' })).status).to.equal(401);
    // expires is ignored without signatureVersion=3
    expect((await api(lab, { command: 'listZones', expires: '2000-01-01T00:00:00+0000' })).status).to.equal(200);
  });

  it('an unknown command is 401 on 8080 even when correctly signed', async () => {
    const lab = await testLab();
    const r = await api(lab, { command: 'fooBar' });
    expect(r.status).to.equal(401);
    expect(r.json).to.deep.equal({ errorresponse: { uuidList: [], errorcode: 401, errortext: 'unable to verify user credentials and/or request signature' } });
  });

  it('enforce.post.requests.and.timestamps (after restart) demands POST and v3 within 15 minutes', async () => {
    const clock = new ManualClock(Date.UTC(2030, 0, 1, 12, 0, 0));
    const lab = await testLab({ clock, config: { settings: { 'enforce.post.requests.and.timestamps': 'true' } } });
    const v3 = { expires: '2030-01-01T12:10:00+0000' };
    expect((await api(lab, { command: 'listZones' }, { v3 })).status).to.equal(200);
    expect((await api(lab, { command: 'listZones' })).status).to.equal(401);
    expect((await api(lab, { command: 'listZones' }, { v3: { expires: '2030-01-01T12:20:00+0000' } })).status).to.equal(401);
    const get = await api(lab, { command: 'updateConfiguration', name: 'router.version.check', value: 'false' }, { v3 });
    expect(get.status).to.equal(400);
    expect(get.json.updateconfigurationresponse.errortext).to.equal('Changes for configuration router.version.check needs to be sent using POST request');
    const post = await api(lab, { command: 'updateConfiguration', name: 'router.version.check', value: 'false' }, { v3, method: 'POST' });
    expect(post.status).to.equal(200);
  });
});
