// Typed API errors and their wire shape: `{"<key>":{"uuidList":[],"errorcode":N,"cserrorcode":M,
// "errortext":"…"}}`, HTTP status = errorcode (ApiServer.getSerializedApiError, ExceptionResponse.java). cserrorcode is absent on auth failures.

import type { JsonObject } from './render/compact.js';

export class ApiError extends Error {
  constructor(
    readonly errorcode: number,
    readonly errortext: string,
    readonly cserrorcode?: number,
    /** Force the `errorresponse` key (unknown command, 432). */
    readonly useErrorKey = false,
    /** ExceptionProxyObjects: `uuidList` entries ({uuid, description}). */
    readonly uuidList: ReadonlyArray<{ readonly uuid: string; readonly description: string }> = [],
  ) {
    super(errortext);
    this.name = 'ApiError';
  }
}

export const CS = {
  SERVER_API: 9999,
  INVALID_PARAM: 4350,
  PERMISSION: 4365,
  RESOURCE_UNAVAILABLE: 4380,
  CLOUD_RUNTIME: 4250,
  AUTH: 4290,
} as const;

export const AUTH_FAILED = 'unable to verify user credentials and/or request signature';

export const authError = (): ApiError => new ApiError(401, AUTH_FAILED, undefined);
export const paramError = (text: string): ApiError => new ApiError(431, text, CS.INVALID_PARAM);
export const missingParam = (cmdLower: string, p: string): ApiError =>
  new ApiError(431, `Unable to execute API command ${cmdLower} due to missing parameter ${p}`, CS.SERVER_API);
export const badUuid = (name: string, value: string): ApiError =>
  paramError(`Invalid parameter ${name} value=${value} due to incorrect long value format, or entity does not exist or due to incorrect parameter annotation for the field in api cmd class.`);

export function errorBody(e: ApiError, key: string): JsonObject {
  const inner: JsonObject = { uuidList: e.uuidList.map((p) => ({ uuid: p.uuid, description: p.description })), errorcode: e.errorcode };
  if (e.cserrorcode !== undefined) inner.cserrorcode = e.cserrorcode;
  inner.errortext = e.errortext;
  return { [e.useErrorKey ? 'errorresponse' : key]: inner };
}
