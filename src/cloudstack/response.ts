// Reading CloudStack response bodies (docs/cloudstack-facts.md §1.5–1.6, §7.1): unwrap `<cmd>response`, find the
// error object under `<cmd>response` or `errorresponse`, turn lists into `{ count, items }` with
// count defaulting to 0 (an empty list has no count key) and read async-job records.
import type { AsyncJobStatus, CloudStackList } from './types.js';

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v);
  return undefined;
}

interface ErrorBody {
  readonly errorcode?: number;
  readonly cserrorcode?: number;
  readonly errortext?: string;
}

/**
 * The error object of a non-2xx body: `{"<cmd>response"|"errorresponse":{errorcode, cserrorcode?, errortext}}`
 * or the integration port's `{"error":{"description":…}}`. Undefined when the body has neither.
 */
export function readErrorBody(command: string, body: unknown): ErrorBody | undefined {
  if (!isObject(body)) return undefined;
  const keys = [`${command.toLowerCase()}response`, 'errorresponse', ...Object.keys(body)];
  for (const key of keys) {
    const inner = body[key];
    if (!isObject(inner)) continue;
    if ('errorcode' in inner || 'errortext' in inner) {
      const out: { errorcode?: number; cserrorcode?: number; errortext?: string } = {};
      const code = toNumber(inner['errorcode']);
      const cs = toNumber(inner['cserrorcode']);
      if (code !== undefined) out.errorcode = code;
      if (cs !== undefined) out.cserrorcode = cs;
      if (typeof inner['errortext'] === 'string') out.errortext = inner['errortext'];
      return out;
    }
    if (key === 'error' && typeof inner['description'] === 'string') return { errortext: inner['description'] };
  }
  return undefined;
}

/** The object under `<command lower-cased>response`, or under the only `*response` key. */
export function unwrap(command: string, body: unknown): JsonObject | undefined {
  if (!isObject(body)) return undefined;
  const direct = body[`${command.toLowerCase()}response`];
  if (isObject(direct)) return direct;
  const candidates = Object.keys(body).filter((k) => k.endsWith('response') && isObject(body[k]));
  if (candidates.length === 1) return body[candidates[0]!] as JsonObject;
  return undefined;
}

/**
 * `{count, <objectName>: [...]}` → `{count, items}`. Without objectName the single array-valued key is
 * used. `{}` (the empty list) gives count 0; a list without count but with items counts its items.
 */
export function toList(response: JsonObject, objectName?: string): CloudStackList {
  let items: unknown[] = [];
  if (objectName !== undefined) {
    const v = response[objectName];
    if (Array.isArray(v)) items = v;
    else if (isObject(v)) items = [v];
  } else {
    const arrays = Object.values(response).filter((v): v is unknown[] => Array.isArray(v));
    if (arrays.length === 1) items = arrays[0]!;
  }
  const objects = items.filter(isObject);
  const count = toNumber(response['count']) ?? objects.length;
  return { count, items: objects };
}

/** Reads a queryAsyncJobResult response; undefined when it lacks jobstatus. */
export function toJobStatus(response: JsonObject, fallbackJobId: string): AsyncJobStatus | undefined {
  const jobstatus = toNumber(response['jobstatus']);
  if (jobstatus === undefined) return undefined;
  const jobresult = response['jobresult'];
  const status: {
    jobid: string;
    jobstatus: number;
    jobresultcode: number;
    jobresult?: JsonObject;
    cmd?: string;
    raw: JsonObject;
  } = {
    jobid: typeof response['jobid'] === 'string' ? response['jobid'] : fallbackJobId,
    jobstatus,
    jobresultcode: toNumber(response['jobresultcode']) ?? 0,
    raw: response,
  };
  if (isObject(jobresult)) status.jobresult = jobresult;
  if (typeof response['cmd'] === 'string') status.cmd = response['cmd'];
  return status;
}
