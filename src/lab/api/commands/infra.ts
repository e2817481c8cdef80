// Commands about the deployment itself: capabilities, management servers, zones, hosts and the
// configuration table (listConfigurations substring match and keyword search, updateConfiguration type
// checks; ManagementServerImpl.searchForConfigurations and ConfigurationManagerImpl at 4.20.1.0).

import { ApiError, CS, paramError } from '../errors.js';
import { listOf, type CommandDef } from '../types.js';
import {
  configDef, renderCapabilities, renderConfig, renderManagementServer, renderRoutingHost, renderSystemVmHost, renderZone,
} from '../render/render-infra.js';
import { CONFIG_DEFS, type ConfigDef } from '../../world/config-table.js';
import type { HypervisorHost, Zone } from '../../world/types.js';
import type { JsonObject } from '../render/compact.js';
import type { ManagementServer } from '../../ms/management-server.js';

const listCapabilities: CommandDef = {
  name: 'listCapabilities', async: false, params: [],
  handler: (ctx) => ({ kind: 'object', name: 'capability', value: renderCapabilities(ctx.core.world) }),
};

const listManagementServers: CommandDef = {
  name: 'listManagementServers', async: false, list: true, legacyIds: true,
  params: [{ name: 'id', type: 'uuid', entity: 'ms' }, { name: 'name', type: 'string' }, { name: 'peers', type: 'boolean' }],
  handler: (ctx, args) => {
    const id = args.ref<ManagementServer>('id');
    const name = args.str('name');
    const servers = ctx.core.cluster.servers.filter((s) => (!id || s === id) && (name === undefined || s.name === name));
    return listOf('managementserver', servers, (s: ManagementServer) => renderManagementServer(ctx.core, s, args.bool('peers')));
  },
};

const listZones: CommandDef = {
  name: 'listZones', async: false, list: true, legacyIds: true,
  params: [{ name: 'id', type: 'uuid', entity: 'zone' }, { name: 'name', type: 'string' }, { name: 'available', type: 'boolean' }],
  handler: (ctx, args) => {
    const id = args.ref<Zone>('id');
    const name = args.str('name');
    const zones = ctx.core.world.zones.filter((z) => (!id || z === id) && (name === undefined || z.name === name));
    return listOf('zone', zones, renderZone);
  },
};

const listHosts: CommandDef = {
  name: 'listHosts', async: false, list: true, legacyIds: true,
  params: [
    { name: 'id', type: 'uuid', entity: 'host' }, { name: 'name', type: 'string' }, { name: 'type', type: 'string' },
    { name: 'zoneid', type: 'uuid', entity: 'zone' }, { name: 'state', type: 'string' }, { name: 'hypervisor', type: 'string' },
  ],
  handler: (ctx, args) => {
    const w = ctx.core.world;
    const id = args.ref<HypervisorHost>('id');
    const zone = args.ref<Zone>('zoneid');
    const type = args.str('type')?.toLowerCase();
    const name = args.str('name');
    const state = args.str('state')?.toLowerCase();
    const rows: JsonObject[] = [];
    if (!type || type === 'routing') {
      for (const h of w.hosts) if (!id || h === id) rows.push(renderRoutingHost(w, h, true, ctx.core.cluster.ownerOf(h.id)));
    }
    if (!id && (!type || type === 'secondarystoragevm' || type === 'consoleproxy')) {
      for (const vm of w.systemVms) {
        const t = vm.kind === 'ssvm' ? 'secondarystoragevm' : 'consoleproxy';
        if (!type || type === t) rows.push(renderSystemVmHost(w, vm));
      }
    }
    const out = rows.filter(
      (r) => (!zone || r.zoneid === zone.id) && (name === undefined || r.name === name) && (!state || String(r.state).toLowerCase() === state),
    );
    return listOf('host', out, (r) => r);
  },
};

const listConfigurations: CommandDef = {
  name: 'listConfigurations', async: false, list: true,
  params: [
    { name: 'name', type: 'string' }, { name: 'category', type: 'string' }, { name: 'keyword', type: 'string' },
    { name: 'zoneid', type: 'uuid', entity: 'zone' }, { name: 'group', type: 'string' }, { name: 'subgroup', type: 'string' },
  ],
  handler: (ctx, args) => {
    const cfg = ctx.core.world.config;
    const name = args.str('name');
    const keyword = args.str('keyword');
    const category = args.str('category');
    const zone = args.ref<Zone>('zoneid');
    const rows = CONFIG_DEFS.filter((d) => d.category !== 'Hidden')
      .filter((d) => name === undefined || d.name.toLowerCase().includes(name.toLowerCase()))
      .filter((d) => keyword === undefined || keywordMatches(d, cfg.get(d.name), keyword))
      .filter((d) => category === undefined || d.category.toLowerCase() === category.toLowerCase())
      .filter((d) => args.str('group') === undefined || d.group === args.str('group'))
      .filter((d) => args.str('subgroup') === undefined || d.subgroup === args.str('subgroup'))
      .filter((d) => !zone || d.scopes.includes('Zone'))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    return listOf('configuration', rows, (d: ConfigDef) =>
      zone ? renderConfig(d, cfg.getForZone(d.name, zone.id), 'zone') : renderConfig(d, cfg.get(d.name)));
  },
};

/** `keyword` is LIKE %keyword% on name, instance (always DEFAULT), component, description, category and value. */
function keywordMatches(d: ConfigDef, value: string | null, keyword: string): boolean {
  const k = keyword.toLowerCase();
  return [d.name, 'DEFAULT', d.component, d.description, d.category, value ?? ''].some((f) => f.toLowerCase().includes(k));
}

const SCOPE_PARAMS = ['zoneid', 'clusterid', 'storageid', 'accountid', 'domainid', 'imagestoreuuid'] as const;

function typeError(d: ConfigDef, value: string): string | undefined {
  if (d.type === 'Boolean') return value === 'true' || value === 'false' ? undefined : "Please enter either 'true' or 'false'.";
  if (d.type === 'Number') {
    const ok = /^-?\d+$/.test(value) && (d.javaClass !== 'java.lang.Integer' || Math.abs(Number(value)) <= 2147483647);
    return ok ? undefined : `Value [${value}] is not a valid [class ${d.javaClass}].`;
  }
  return undefined;
}

const updateConfiguration: CommandDef = {
  name: 'updateConfiguration', async: false,
  params: [
    { name: 'name', type: 'string', required: true }, { name: 'value', type: 'string' },
    { name: 'zoneid', type: 'uuid', entity: 'zone' }, { name: 'clusterid', type: 'string' }, { name: 'storageid', type: 'string' },
    { name: 'accountid', type: 'string' }, { name: 'domainid', type: 'string' }, { name: 'imagestoreuuid', type: 'string' },
  ],
  handler: (ctx, args) => {
    const cfg = ctx.core.world.config;
    const name = args.str('name')!.trim();
    if (!name) throw paramError('Empty configuration name provided');
    const scopes = SCOPE_PARAMS.filter((p) => args.has(p));
    if (scopes.length > 1) throw paramError('cannot handle multiple IDs, provide only one ID corresponding to the scope');
    const d = configDef(name);
    if (!d) throw paramError(`Config parameter with name ${name} doesn't exist`);
    const zone = args.ref<Zone>('zoneid');
    if (scopes.length === 1 && !(scopes[0] === 'zoneid' && d.scopes.includes('Zone'))) {
      throw paramError(`Invalid scope id provided for the parameter ${name}`);
    }
    const raw = args.str('value');
    if (raw === undefined) {
      return { kind: 'object', name: 'configuration', value: renderConfig(d, zone ? cfg.getForZone(name, zone.id) : cfg.get(name), zone ? 'zone' : undefined) };
    }
    const trimmed = raw.trim();
    const stored = trimmed === '' || trimmed === 'null' ? null : trimmed;
    if (stored !== null) {
      const err = typeError(d, stored);
      if (err) throw new ApiError(431, err, CS.INVALID_PARAM);
    }
    if (zone) cfg.setForZone(name, zone.id, stored);
    else cfg.set(name, stored);
    return { kind: 'object', name: 'configuration', value: renderConfig(d, raw, zone ? 'zone' : undefined) };
  },
};

export const INFRA_COMMANDS: readonly CommandDef[] = [
  listCapabilities, listManagementServers, listZones, listHosts, listConfigurations, updateConfiguration,
];
