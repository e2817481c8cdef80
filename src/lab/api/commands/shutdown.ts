// The management-server shutdown API: plugins/shutdown in 4.19–4.20 (prepareForShutdown, triggerShutdown,
// cancelShutdown, readyForShutdown) and plugins/maintenance from 4.21, which keeps those four (now
// answering with ManagementServerMaintenanceResponse, readyForShutdown needing the id) and adds
// prepareForMaintenance and cancelMaintenance. The behaviour lives in ms/shutdown.ts and ms/maintenance.ts.

import type { CommandDef, CommandContext } from '../types.js';
import type { Args } from '../args.js';
import type { JsonObject } from '../render/compact.js';
import type { ManagementServer } from '../../ms/management-server.js';
import * as plugin419 from '../../ms/shutdown.js';
import * as plugin421 from '../../ms/maintenance.js';

const V421 = '4.21.0';
const msParam = (required: boolean): CommandDef['params'][number] => ({ name: 'managementserverid', type: 'uuid', entity: 'ms', required });

function command(name: string, before: boolean, required: boolean, run: (ctx: CommandContext, ms: ManagementServer | undefined, args: Args) => JsonObject,
  extra: CommandDef['params'] = []): CommandDef {
  return {
    name, async: false, versions: before ? { before: V421 } : { from: V421 }, params: [msParam(required), ...extra],
    handler: (ctx, args) => ({ kind: 'object', name: name.toLowerCase(), value: run(ctx, args.ref<ManagementServer>('managementserverid'), args) }),
  };
}

/** 4.19.0–4.20.x: ReadyForShutdownResponse; readyForShutdown's id is optional. */
const PLUGIN_SHUTDOWN: readonly CommandDef[] = [
  command('prepareForShutdown', true, true, (ctx, ms) => plugin419.prepareForShutdown(ctx.core, ms!)),
  command('triggerShutdown', true, true, (ctx, ms) => plugin419.triggerShutdown(ctx.core, ms!)),
  command('cancelShutdown', true, true, (ctx, ms) => plugin419.cancelShutdown(ctx.core, ms!)),
  command('readyForShutdown', true, false, (ctx, ms) => plugin419.readyForShutdown(ctx.core, ms)),
];

/** 4.21+: ManagementServerMaintenanceResponse; every command needs managementserverid. */
const PLUGIN_MAINTENANCE: readonly CommandDef[] = [
  command('prepareForShutdown', false, true, (ctx, ms) => plugin421.prepareForShutdown(ctx.core, ms!)),
  command('triggerShutdown', false, true, (ctx, ms) => plugin421.triggerShutdown(ctx.core, ms!)),
  command('cancelShutdown', false, true, (ctx, ms) => plugin421.cancelShutdown(ctx.core, ms!)),
  command('readyForShutdown', false, true, (ctx, ms) => plugin421.maintenanceResponse(ctx.core, ms!)),
  command('prepareForMaintenance', false, true,
    (ctx, ms, args) => plugin421.prepareForMaintenance(ctx.core, ms!, args.str('algorithm'), args.bool('forced')),
    [{ name: 'algorithm', type: 'string' }, { name: 'forced', type: 'boolean' }]),
  command('cancelMaintenance', false, true,
    (ctx, ms, args) => plugin421.cancelMaintenance(ctx.core, ms!, args.has('rebalance') ? args.bool('rebalance') : true),
    [{ name: 'rebalance', type: 'boolean' }]),
];

export const SHUTDOWN_COMMANDS: readonly CommandDef[] = [...PLUGIN_SHUTDOWN, ...PLUGIN_MAINTENANCE];
