// login/logout sessions (ApiServer.loginUser at 4.20.1.0): POST only, JSESSIONID + sessionkey cookies, and the
// api.sessionkey.check.locations rules for where the key must be presented.

import { expect } from 'chai';
import type { Lab } from '../../src/lab/index.js';
import { ok, request, stopLabs, testLab, type HttpResult } from './helpers.js';

const form = (p: Record<string, string>): string => new URLSearchParams(p).toString();

async function login(lab: Lab, password = lab.adminPassword): Promise<HttpResult> {
  return request(lab.apiUrl, {
    method: 'POST', body: form({ command: 'login', username: 'admin', password, domain: '/', response: 'json' }),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  });
}

function cookiesOf(r: HttpResult): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of r.headers['set-cookie'] ?? []) {
    const [kv] = c.split(';');
    const i = kv!.indexOf('=');
    out[kv!.slice(0, i)] = kv!.slice(i + 1);
  }
  return out;
}

async function call(lab: Lab, params: Record<string, string>, cookie: string): Promise<HttpResult> {
  return request(`${lab.apiUrl}?${form({ ...params, response: 'json' })}`, { headers: cookie ? { Cookie: cookie } : {} });
}

describe('lab sessions', () => {
  afterEach(stopLabs);

  it('login needs POST (405 on GET) and valid credentials (531)', async () => {
    const lab = await testLab();
    const get = await request(`${lab.apiUrl}?${form({ command: 'login', username: 'admin', password: lab.adminPassword, response: 'json' })}`);
    expect(get.status).to.equal(405);
    expect(get.json).to.deep.equal({ loginresponse: { uuidList: [], errorcode: 405, errortext: 'Please use HTTP POST to authenticate using this API' } });
    const bad = await login(lab, 'wrong');
    expect(bad.status).to.equal(531);
    expect(bad.json.loginresponse.errortext).to.equal('Failed to authenticate user admin in domain 1; please provide valid credentials');
    expect(bad.text).to.not.include('wrong');
  });

  it('login sets JSESSIONID (Path=/client) and sessionkey cookies; calls need both cookie and parameter by default', async () => {
    const lab = await testLab();
    const r = await login(lab);
    expect(r.status).to.equal(200);
    const body = r.json.loginresponse;
    expect(body).to.include({ username: 'admin', account: 'admin', timeout: '1800', type: '1' });
    expect(body.sessionkey).to.be.a('string');
    const setCookie = (r.headers['set-cookie'] ?? []).join('\n');
    expect(setCookie).to.match(/JSESSIONID=[0-9A-F]+; Path=\/client; HttpOnly/);
    expect(setCookie).to.match(/sessionkey=[^;]+;HttpOnly;SameSite=Lax/);
    const c = cookiesOf(r);
    const both = `JSESSIONID=${c.JSESSIONID}; sessionkey=${c.sessionkey}`;
    const good = await call(lab, { command: 'listZones', sessionkey: body.sessionkey }, both);
    expect(good.status).to.equal(200);
    const cookieOnly = await call(lab, { command: 'listZones' }, both);
    expect(cookieOnly.status).to.equal(401);
    expect(cookieOnly.json.listzonesresponse.errortext).to.equal('unable to verify user credentials');
    const paramOnly = await call(lab, { command: 'listZones', sessionkey: body.sessionkey }, `JSESSIONID=${c.JSESSIONID}`);
    expect(paramOnly.status).to.equal(401);
    const wrongKey = await call(lab, { command: 'listZones', sessionkey: 'nope' }, both);
    expect(wrongKey.status).to.equal(401);
  });

  it('honours api.sessionkey.check.locations=ParameterOnly at once (dynamic setting)', async () => {
    const lab = await testLab();
    const r = await login(lab);
    const c = cookiesOf(r);
    await ok(lab, { command: 'updateConfiguration', name: 'api.sessionkey.check.locations', value: 'ParameterOnly' });
    const paramOnly = await call(lab, { command: 'listZones', sessionkey: r.json.loginresponse.sessionkey }, `JSESSIONID=${c.JSESSIONID}`);
    expect(paramOnly.status).to.equal(200);
  });

  it('an unknown command in a session is 432; logout ends the session', async () => {
    const lab = await testLab();
    const r = await login(lab);
    const c = cookiesOf(r);
    const key = r.json.loginresponse.sessionkey;
    const both = `JSESSIONID=${c.JSESSIONID}; sessionkey=${c.sessionkey}`;
    const unknown = await call(lab, { command: 'fooBar', sessionkey: key }, both);
    expect(unknown.status).to.equal(432);
    expect(unknown.json.errorresponse.errorcode).to.equal(432);
    const out = await call(lab, { command: 'logout', sessionkey: key }, both);
    expect(out.json).to.deep.equal({ logoutresponse: { description: 'success' } });
    expect((await call(lab, { command: 'listZones', sessionkey: key }, both)).status).to.equal(401);
  });
});
