// Contracts between the HTTP front, the dispatcher and the command handlers: who is calling, what a
// command declares (parameters, async or not) and what it returns.

import type { Account, Domain } from '../world/types.js';
import type { JsonObject } from './render/compact.js';
import type { Args } from './args.js';
import type { LabCore } from '../core.js';
import type { ManagementServer } from '../ms/management-server.js';

export interface Caller {
  readonly userId: string;
  readonly userName: string;
  readonly account: Account;
  readonly domain: Domain;
  readonly port: 'api' | 'integration';
}

export type EntityKind = 'vm' | 'router' | 'network' | 'vpc' | 'zone' | 'host' | 'job' | 'project' | 'ms' | 'domain' | 'account' | 'pod' | 'cluster'
  | 'instance' | 'uservm' | 'volume';

export interface ParamSpec {
  /** Lower-case name (dispatch is case-insensitive). */
  readonly name: string;
  readonly type: 'string' | 'boolean' | 'integer' | 'uuid';
  readonly entity?: EntityKind;
  readonly required?: boolean;
}

export type CommandResult =
  | { readonly kind: 'object'; readonly name: string; readonly value: JsonObject }
  | { readonly kind: 'list'; readonly name: string; readonly total: number; readonly slice: (start: number, end: number) => JsonObject[] }
  | { readonly kind: 'raw'; readonly body: JsonObject }
  | { readonly kind: 'job'; readonly jobId: string };

export interface CommandContext {
  readonly core: LabCore;
  /** The management server answering the call. */
  readonly server: ManagementServer;
  readonly caller: Caller;
  readonly command: CommandDef;
}

export interface CommandDef {
  readonly name: string;
  readonly async: boolean;
  /** Versions this definition serves, when a later release answers the command differently ([from, before)). */
  readonly versions?: { readonly from?: string; readonly before?: string };
  /** Commands that exist before 3.x accept internal numeric ids for uuid parameters. */
  readonly legacyIds?: boolean;
  /** List commands get page/pagesize handling. */
  readonly list?: boolean;
  readonly params: readonly ParamSpec[];
  readonly handler: (ctx: CommandContext, args: Args) => CommandResult;
}

export function listOf<T>(name: string, items: readonly T[], render: (item: T) => JsonObject): CommandResult {
  return { kind: 'list', name, total: items.length, slice: (s, e) => items.slice(s, e).map(render) };
}
