// What an upgrade readiness check reads about storage and offerings: listTemplates (one row per template
// and zone, with its download state on each image store: TemplateJoinDaoImpl, `downloaddetails` since
// 4.15), listImageStores and listServiceOfferings (the system offerings with issystem=true).

import { paramError } from '../errors.js';
import { listOf, type CommandDef } from '../types.js';
import { csDate } from '../../clock.js';
import { compact, type JsonObject } from '../render/compact.js';
import { OFFERING } from '../render/render-instance.js';
import { OFFERINGS } from '../render/render-vm.js';
import type { World } from '../../world/world.js';
import type { RegisteredTemplate, Zone } from '../../world/types.js';

const FILTERS = new Set(['featured', 'self', 'selfexecutable', 'sharedexecutable', 'executable', 'community', 'all']);
const STATUS = { Ready: 'DOWNLOADED', Downloading: 'DOWNLOAD_IN_PROGRESS', Failed: 'DOWNLOAD_ERROR' } as const;

function templateRow(w: World, t: RegisteredTemplate, z: Zone): JsonObject | undefined {
  const stores = w.imageStores.filter((s) => s.zoneId === z.id);
  const copies = t.copies.filter((c) => stores.some((s) => s.id === c.storeId));
  if (copies.length === 0) return undefined;
  const ready = copies.some((c) => c.state === 'Ready');
  const first = copies.find((c) => c.state === 'Ready') ?? copies[0]!;
  const status = first.state === 'Ready' ? 'Download Complete' : first.state === 'Downloading' ? `${first.percent}% Downloaded` : 'Failed to download template: HTTP Server returned 404 (expected 200 OK)';
  return compact([
    ['id', t.id], ['name', t.name], ['displaytext', t.name], ['ispublic', false], ['created', csDate(t.created)], ['isready', ready],
    ['passwordenabled', false], ['format', 'QCOW2'], ['isfeatured', false], ['crossZones', true], ['ostypename', 'Debian GNU/Linux 12 (64-bit)'],
    ['account', 'system'], ['zoneid', z.id], ['zonename', z.name], ['status', status], ['size', ready ? 5368709120 : undefined],
    ['templatetype', t.type], ['hypervisor', 'KVM'], ['domain', 'ROOT'], ['domainid', w.rootDomain.id], ['isextractable', false],
    ['downloaddetails', copies.map((c) => ({ datastore: w.imageStores.find((s) => s.id === c.storeId)!.name, downloadPercent: String(c.percent), downloadState: STATUS[c.state] }))],
    ['requireshvm', true], ['bits', 64], ['sshkeyenabled', false], ['isdynamicallyscalable', false], ['directdownload', false], ['deployasis', false],
    ['arch', 'x86_64'], ['hasannotations', false],
  ]);
}

const listTemplates: CommandDef = {
  name: 'listTemplates', async: false, list: true,
  params: [
    { name: 'templatefilter', type: 'string', required: true }, { name: 'id', type: 'string' }, { name: 'name', type: 'string' },
    { name: 'keyword', type: 'string' }, { name: 'zoneid', type: 'uuid', entity: 'zone' }, { name: 'hypervisor', type: 'string' },
  ],
  handler: (ctx, args) => {
    const w = ctx.core.world;
    const filter = args.str('templatefilter')!;
    if (!FILTERS.has(filter)) throw paramError(`Invalid template filter: ${filter}`);
    const zone = args.ref<Zone>('zoneid');
    const [id, name, keyword, hv] = [args.str('id'), args.str('name'), args.str('keyword')?.toLowerCase(), args.str('hypervisor')];
    // system templates belong to the system account: only `all` (a root admin) and `self` of the system account show them
    const templates = filter !== 'all' ? [] : w.templates.filter((t) => (id === undefined || t.id === id) && (name === undefined || t.name === name)
      && (keyword === undefined || t.name.toLowerCase().includes(keyword)) && (hv === undefined || hv.toLowerCase() === 'kvm'));
    const rows = templates.flatMap((t) => w.zones.filter((z) => !zone || z === zone).map((z) => templateRow(w, t, z)).filter((r): r is JsonObject => r !== undefined));
    return listOf('template', rows, (r) => r);
  },
};

const listImageStores: CommandDef = {
  name: 'listImageStores', async: false, list: true,
  params: [{ name: 'zoneid', type: 'uuid', entity: 'zone' }, { name: 'name', type: 'string' }, { name: 'protocol', type: 'string' }],
  handler: (ctx, args) => {
    const w = ctx.core.world;
    const zone = args.ref<Zone>('zoneid');
    const stores = w.imageStores.filter((s) => (!zone || s.zoneId === zone.id) && (args.str('name') === undefined || s.name === args.str('name'))
      && (args.str('protocol') === undefined || args.str('protocol') === 'nfs'));
    return listOf('imagestore', stores, (s) => compact([
      ['id', s.id], ['name', s.name], ['url', s.url], ['protocol', 'nfs'], ['providername', 'NFS'], ['zoneid', s.zoneId],
      ['zonename', w.zone(s.zoneId)!.name], ['scope', 'ZONE'], ['readonly', false], ['disksizetotal', 4398046511104], ['disksizeused', 879609302220],
      ['hasannotations', false],
    ]));
  },
};

/** The system offering of each VM kind, named as the VMs' responses name it (render-vm.ts). */
const SYSTEM_OFFERINGS = [
  { kind: 'router', type: 'domainrouter', name: OFFERINGS.router },
  { kind: 'cpvm', type: 'consoleproxy', name: OFFERINGS.cpvm },
  { kind: 'ssvm', type: 'secondarystoragevm', name: OFFERINGS.ssvm },
] as const;

const listServiceOfferings: CommandDef = {
  name: 'listServiceOfferings', async: false, list: true,
  params: [{ name: 'issystem', type: 'boolean' }, { name: 'systemvmtype', type: 'string' }, { name: 'id', type: 'string' }, { name: 'name', type: 'string' }],
  handler: (ctx, args) => {
    const w = ctx.core.world;
    const type = args.str('systemvmtype');
    if (type !== undefined && !args.bool('issystem')) throw paramError('Invalid parameter systemvmtype: it is valid only when issystem is true');
    const rows: JsonObject[] = args.bool('issystem')
      ? SYSTEM_OFFERINGS.filter((o) => type === undefined || o.type === type).map((o) => compact([
        ['id', w.offeringId(o.kind)], ['name', o.name], ['displaytext', o.name], ['cpunumber', 1], ['cpuspeed', 500], ['memory', w.offeringMemory[o.kind]],
        ['created', csDate(w.ms.created)], ['storagetype', 'shared'], ['offerha', true], ['limitcpuuse', false], ['isvolatile', false],
        ['issystem', true], ['defaultuse', true], ['systemvmtype', o.type], ['iscustomized', false], ['hasannotations', false],
      ]))
      : [compact([['id', w.offeringIdByName(OFFERING)], ['name', OFFERING], ['displaytext', OFFERING], ['cpunumber', 1],
        ['cpuspeed', 500], ['memory', 512], ['storagetype', 'shared'], ['issystem', false], ['iscustomized', false], ['hasannotations', false]])];
    const out = rows.filter((r) => (args.str('id') === undefined || r.id === args.str('id')) && (args.str('name') === undefined || r.name === args.str('name')));
    return listOf('serviceoffering', out, (r) => r);
  },
};

export const STORAGE_COMMANDS: readonly CommandDef[] = [listTemplates, listImageStores, listServiceOfferings];
