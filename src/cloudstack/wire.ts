// Wire details shared by the client's modes: which commands are reads, the integration-port URL,
// parameter encoding (Java URLEncoder rules, valid for servlets too) and turning an HTTP response into
// the unwrapped object or a typed error.
import type { HttpResponse } from '../transports/http.js';
import { CloudStackApiError, CloudStackResponseError } from './errors.js';
import { parseJson, readErrorBody, unwrap, type JsonObject } from './response.js';
import { javaUrlEncode } from './signing.js';
import type { CallMode, CloudStackEndpoint, Params } from './types.js';

export interface Exchange {
  readonly res: HttpResponse;
  /** `METHOD url?params` with secrets masked. */
  readonly request: string;
}

/** Commands the server itself treats as non-state-changing (ApiServlet GET_REQUEST_COMMANDS). */
export function isReadCommand(command: string): boolean {
  return /^(get|list|query|find)\w+$/i.test(command);
}

/** The integration port answers on any path; use http://<management-server host>:<port>/client/api. */
export function integrationUrl(endpoint: CloudStackEndpoint, port: number): string {
  const u = new URL(endpoint.url);
  return `http://${u.hostname.includes(':') && !u.hostname.startsWith('[') ? `[${u.hostname}]` : u.hostname}:${port}/client/api`;
}

export function stringifyParams(params: Params): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined) out[k] = String(v);
  return out;
}

export function encodeParams(params: Readonly<Record<string, string>>): string {
  return Object.entries(params)
    .map(([k, v]) => `${javaUrlEncode(k)}=${javaUrlEncode(v)}`)
    .join('&');
}

/** The object under `<command>response` for a 2xx; a typed error otherwise. */
export function interpretResponse(
  endpoint: CloudStackEndpoint,
  command: string,
  mode: CallMode,
  ex: Exchange,
  scrub: (text: string) => string,
): JsonObject {
  const { res, request } = ex;
  const body = parseJson(res.text);
  if (res.status >= 200 && res.status < 300) {
    const inner = unwrap(command, body);
    if (inner) return inner;
    const what =
      body === undefined
        ? `not JSON (${String(res.headers['content-type'] ?? 'no content type')})`
        : 'no <command>response object';
    throw new CloudStackResponseError(endpoint.name, command, res.status, what, request);
  }
  const err = readErrorBody(command, body);
  // On 8080 an X-Description header carries the text; the integration port uses the reason phrase.
  const header = res.headers['x-description'];
  const errortext = err?.errortext || (typeof header === 'string' ? header : '') || res.statusMessage || 'no error text';
  throw new CloudStackApiError(
    endpoint.name,
    command,
    {
      httpStatus: res.status,
      ...(err?.errorcode !== undefined ? { errorcode: err.errorcode } : {}),
      ...(err?.cserrorcode !== undefined ? { cserrorcode: err.cserrorcode } : {}),
      errortext,
      request,
      mode,
      ...(endpoint.signatureVersion ? { signatureVersion: endpoint.signatureVersion } : {}),
    },
    scrub,
  );
}
