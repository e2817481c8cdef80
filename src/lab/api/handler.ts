// The two HTTP fronts of each management server: the 8080 servlet at /client/api (signatures or
// sessions) and the unauthenticated integration port (any path, caller = system). Both end in the same
// dispatcher, with the answering server; every call is logged with its secrets masked.

import type http from 'node:http';
import type { LabCore } from '../core.js';
import { maskParams } from '../log.js';
import { findCommand } from './commands/index.js';
import { dispatch, responseKey } from './dispatch.js';
import { ApiError, CS, authError, errorBody } from './errors.js';
import { checkSession, login, logout, SESSION_FAILED, verifySigned } from './auth.js';
import { collectParams, lowerParams, parseCookies, readBody, writeReply, type Reply } from './http-util.js';
import type { RequestHandler } from './http-listener.js';
import type { Caller } from './types.js';
import type { ManagementServer } from '../ms/management-server.js';
import { apiFacts } from '../world/profiles.js';

const STATE_SAFE = /^(get|list|query|find)\w+$/;

function internalError(core: LabCore, err: unknown, key: string): Reply {
  core.emit({ kind: 'ms', time: core.time.now(), message: `internal error: ${err instanceof Error ? err.message : String(err)}` });
  const e = new ApiError(530, 'Internal error executing command, please contact your system administrator', CS.CLOUD_RUNTIME);
  return { status: 530, body: errorBody(e, key) };
}

function logCall(core: LabCore, server: ManagementServer, port: 'api' | 'integration', method: string,
  raw: ReadonlyArray<readonly [string, string]>, status: number): void {
  const command = raw.find(([k]) => k === 'command')?.[1] ?? '(none)';
  const multi = core.cluster.servers.length > 1 ? { server: server.name } : {};
  core.emit({ kind: 'api', time: core.time.now(), port, method, command, params: maskParams(Object.fromEntries(raw)), status, ...multi });
}

async function handleApi(core: LabCore, server: ManagementServer, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://lab.invalid');
  const method = (req.method ?? 'GET').toUpperCase();
  const body = await readBody(req);
  if (!url.pathname.startsWith('/client/api')) {
    res.statusCode = 404;
    res.setHeader('Content-Type', 'text/plain; charset=UTF-8');
    res.end('Not Found: the CloudStack API is at /client/api\n');
    return;
  }
  const form = method === 'POST' && /application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '');
  const raw = collectParams([url.search.slice(1), form ? body : '']);
  const params = lowerParams(raw);
  const cookies = parseCookies(req.headers.cookie);
  const commandName = raw.find(([k]) => k === 'command')?.[1];
  const version = core.world.msVersion;
  const def = commandName ? findCommand(commandName, version) : undefined;
  const key = commandName === 'login' ? 'loginresponse' : commandName === 'logout' ? 'logoutresponse' : def ? responseKey(def) : 'errorresponse';
  let reply: Reply;
  let authenticated = false;
  try {
    if (commandName === 'login') reply = login(core, server, method, params);
    else if (commandName === 'logout') reply = logout(server, cookies);
    else {
      const session = checkSession(core, server, cookies, params);
      let caller: Caller | undefined;
      if (session.kind === 'fail') throw new ApiError(401, SESSION_FAILED);
      if (session.kind === 'ok') {
        if (!commandName) throw new ApiError(400, 'no command specified', CS.SERVER_API, true);
        if (!def) {
          throw new ApiError(432, `The given command:${commandName} does not exist or it is not available for user with id:2`, CS.SERVER_API, true);
        }
        caller = session.caller;
      } else {
        caller = verifySigned(core, server, raw, def !== undefined);
        if (!caller) throw authError();
      }
      authenticated = true;
      const enforce = (server.setting('enforce.post.requests.and.timestamps') ?? 'false') === 'true';
      if (enforce && method !== 'POST' && !STATE_SAFE.test(def!.name)) {
        const text = def!.name === 'updateConfiguration'
          ? `Changes for configuration ${params.get('name') ?? ''} needs to be sent using POST request`
          : `State changing command ${def!.name} needs to be sent using POST request`;
        throw new ApiError(400, text, CS.SERVER_API);
      }
      reply = { status: 200, body: dispatch(core, server, def!, params, caller) };
    }
  } catch (e) {
    reply = e instanceof ApiError ? { status: e.errorcode, body: errorBody(e, key) } : internalError(core, e, key);
  }
  writeReply(res, reply, {
    json: params.get('response') === 'json',
    jsonContentType: server.setting('json.content.type') ?? 'application/json; charset=UTF-8',
    xmlContentType: 'text/xml; charset=UTF-8',
    version: authenticated || apiFacts(version).xmlVersionForAnonymous ? version : undefined,
    errorTextIn: 'header',
  });
  logCall(core, server, 'api', method, raw, reply.status);
}

async function handleIntegration(core: LabCore, server: ManagementServer, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  await readBody(req);
  const url = new URL(req.url ?? '/', 'http://lab.invalid');
  // Only the request URI is parsed here; the first value of a repeated parameter wins (putIfAbsent).
  const raw = collectParams([url.search.slice(1)]);
  const responseType = raw.find(([k]) => k === 'response')?.[1];
  const params = lowerParams(raw.filter(([k]) => k !== 'response'));
  const commandName = raw.find(([k]) => k === 'command')?.[1];
  const def = commandName ? findCommand(commandName, core.world.msVersion) : undefined;
  const key = def ? responseKey(def) : 'errorresponse';
  let reply: Reply;
  try {
    if (!commandName) throw new ApiError(432, 'Invalid request, no command sent', CS.SERVER_API, true);
    if (!def) throw new ApiError(432, `Unknown API command: ${commandName}`, CS.SERVER_API, true);
    reply = { status: 200, body: dispatch(core, server, def, params, core.system.caller) };
  } catch (e) {
    reply = e instanceof ApiError ? { status: e.errorcode, body: errorBody(e, key) } : internalError(core, e, key);
  }
  writeReply(res, reply, {
    json: responseType === 'json',
    jsonContentType: server.setting('json.content.type') ?? 'application/json; charset=UTF-8',
    xmlContentType: 'text/xml',
    version: core.world.msVersion,
    errorTextIn: 'reason',
    extraHeaders: { Server: 'HttpComponents/1.1', Connection: 'close' },
  });
  logCall(core, server, 'integration', req.method ?? 'GET', raw, reply.status);
}

type Front = (core: LabCore, server: ManagementServer, req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;

function guard(core: LabCore, server: ManagementServer, fn: Front): RequestHandler {
  return (req, res) => {
    fn(core, server, req, res).catch((err: unknown) => {
      core.emit({ kind: 'ms', time: core.time.now(), message: `request failed: ${err instanceof Error ? err.message : String(err)}` });
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end();
      } else res.destroy();
    });
  };
}

export const makeApiHandler = (core: LabCore, server: ManagementServer): RequestHandler => guard(core, server, handleApi);
export const makeIntegrationHandler = (core: LabCore, server: ManagementServer): RequestHandler => guard(core, server, handleIntegration);
