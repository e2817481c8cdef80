// Authentication on the 8080 servlet: API-key signatures (v2, v3 with expires) and login sessions
// (ApiServer.verifyRequest, ApiServlet and DefaultLoginAPIAuthenticatorCmd at 4.20.1.0). Every failure is
// the same opaque 401 a real server gives; nothing secret ever goes into an error text.

import type { LabCore } from '../core.js';
import { ApiError, AUTH_FAILED, CS, missingParam } from './errors.js';
import { parseExpires, signatureMatches } from './signing.js';
import type { Reply } from './http-util.js';
import type { Caller } from './types.js';
import type { Session } from './sessions.js';
import { SESSION_TIMEOUT_S } from './sessions.js';
import type { ManagementServer } from '../ms/management-server.js';
import { apiFacts } from '../world/profiles.js';

const FIFTEEN_MIN = 15 * 60_000;

/** verifyRequest(): true when the signed request is acceptable. `known` = the command exists. */
export function verifySigned(core: LabCore, server: ManagementServer, raw: ReadonlyArray<readonly [string, string]>, known: boolean): Caller | undefined {
  let apiKey: string | undefined;
  let signature: string | undefined;
  let version: string | undefined;
  let expires: string | undefined;
  for (const [k, v] of raw) {
    const l = k.toLowerCase();
    if (l === 'signature') signature ??= v;
    else if (l === 'apikey') apiKey ??= v;
    else if (l === 'signatureversion') version ??= v;
    else if (l === 'expires') expires ??= v;
  }
  if (!apiKey || !signature) return undefined;
  const enforce = (server.setting('enforce.post.requests.and.timestamps') ?? 'false') === 'true';
  if (enforce && version !== '3') return undefined;
  if (version === '3') {
    if (!expires) return undefined;
    const t = parseExpires(expires);
    const now = core.time.now();
    if (t === undefined || t < now) return undefined;
    if (enforce && t - now > FIFTEEN_MIN) return undefined;
  }
  if (apiKey !== core.settings.apiKey) return undefined;
  // An unknown command fails before the signature is even checked (ApiServer.verifyRequest).
  if (!known) return undefined;
  return signatureMatches(raw, core.settings.secretKey, signature) ? core.admin.caller : undefined;
}

export type SessionCheck = { readonly kind: 'none' } | { readonly kind: 'ok'; readonly caller: Caller } | { readonly kind: 'fail' };

/** Session path: taken when a JSESSIONID cookie and a session key are presented without an apiKey. */
export function checkSession(core: LabCore, server: ManagementServer, cookies: ReadonlyMap<string, string>, params: ReadonlyMap<string, string>): SessionCheck {
  const jsession = cookies.get('JSESSIONID');
  const paramKey = params.get('sessionkey');
  const cookieKey = cookies.get('sessionkey');
  if (params.has('apikey') || !jsession || (paramKey === undefined && cookieKey === undefined)) return { kind: 'none' };
  // Sessions live in the server that created them (Jetty's in-memory sessions, not shared by peers).
  const s = server.sessions.get(jsession, core.time.now());
  if (!s) return { kind: 'fail' };
  const where = core.world.config.get('api.sessionkey.check.locations') ?? 'CookieAndParameter';
  const byCookie = cookieKey === s.key;
  const byParam = paramKey === s.key;
  const ok = where === 'ParameterOnly' ? byParam : where === 'CookieOrParameter' ? byCookie || byParam : byCookie && byParam;
  if (!ok) return { kind: 'fail' };
  s.lastAccess = core.time.now();
  return { kind: 'ok', caller: core.admin.caller };
}

export const SESSION_FAILED = 'unable to verify user credentials';
export { AUTH_FAILED };

function loginBody(core: LabCore, server: ManagementServer, s: Session): Reply['body'] {
  const w = core.world;
  return {
    loginresponse: {
      username: core.admin.name, userid: core.admin.id, domainid: w.rootDomain.id, timeout: String(SESSION_TIMEOUT_S),
      account: w.adminAccount.name, firstname: 'Admin', lastname: 'User', type: '1', timezone: 'UTC', timezoneoffset: '0.0',
      registered: 'false', sessionkey: s.key, is2faenabled: 'false', is2faverified: 'true', issuerfor2fa: 'CloudStack',
      // the answering server's uuid, for root admins, from 4.21 (ApiServer.loginUser at 4.21.0.0)
      ...(apiFacts(w.msVersion).loginServerId ? { managementserverid: server.record.id } : {}),
    },
  };
}

/** `login` (POST only): 405 on GET, 531 on bad credentials, cookies on success. */
export function login(core: LabCore, server: ManagementServer, method: string, params: ReadonlyMap<string, string>): Reply {
  if (method !== 'POST') {
    return { status: 405, body: { loginresponse: { uuidList: [], errorcode: 405, errortext: 'Please use HTTP POST to authenticate using this API' } } };
  }
  const username = params.get('username');
  const password = params.get('password');
  if (!username) throw missingParam('login', 'username');
  if (password === undefined) throw missingParam('login', 'password');
  const domainParam = params.get('domainid') ?? params.get('domain');
  const rootOk = domainParam === undefined || ['/', '/ROOT', 'ROOT', '/ROOT/', core.world.rootDomain.id, '1'].includes(domainParam);
  if (!rootOk || username !== core.admin.name || password !== core.settings.adminPassword) {
    throw new ApiError(531, `Failed to authenticate user ${username} in domain ${core.world.rootDomain.internalId}; please provide valid credentials`, CS.SERVER_API);
  }
  const s = server.sessions.create(core.admin.id, core.time.now());
  const sameSite = core.world.config.get('api.sessionkey.cookie.samesite') ?? 'Lax';
  const secure = (server.setting('enable.secure.session.cookie') ?? 'false') === 'true' ? '; Secure' : '';
  return {
    status: 200,
    body: loginBody(core, server, s),
    headers: { 'Set-Cookie': [`JSESSIONID=${s.id}; Path=/client; HttpOnly${secure}`, `sessionkey=${s.key};HttpOnly;SameSite=${sameSite}`] },
  };
}

export function logout(server: ManagementServer, cookies: ReadonlyMap<string, string>): Reply {
  const id = cookies.get('JSESSIONID');
  if (id) server.sessions.delete(id);
  return {
    status: 200,
    body: { logoutresponse: { description: 'success' } },
    headers: { 'Set-Cookie': ['JSESSIONID=; Path=/client; Max-Age=0', 'sessionkey=; Max-Age=0'] },
  };
}
