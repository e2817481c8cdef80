// Runs one API command for an authenticated caller: injected faults, 503 for async commands during a
// shutdown, required parameters, uuid translation (ParamProcessWorker), paging (BaseListCmd) and the
// response envelope `{"<cmd>response":…}`.

import type { LabCore } from '../core.js';
import type { ManagementServer } from '../ms/management-server.js';
import { apiFacts } from '../world/profiles.js';
import { UUID_RE } from '../ids.js';
import { Args } from './args.js';
import { ApiError, CS, badUuid, missingParam, paramError } from './errors.js';
import type { JsonObject } from './render/compact.js';
import type { Caller, CommandDef, EntityKind, ParamSpec } from './types.js';

export function responseKey(def: CommandDef): string {
  return `${def.name.toLowerCase()}response`;
}

function resolveEntity(core: LabCore, kind: EntityKind, value: string, legacy: boolean): unknown {
  const w = core.world;
  if (value === '-1') return -1;
  const numeric = /^\d+$/.test(value) ? Number(value) : undefined;
  if (numeric !== undefined && !legacy) return undefined;
  if (numeric === undefined && !UUID_RE.test(value)) return undefined;
  switch (kind) {
    case 'vm':
      return numeric !== undefined ? w.vmByInternalId(numeric) : w.vm(value);
    case 'instance': // any vm_instance row: system VM, router or tenant instance
      return (numeric !== undefined ? w.vmByInternalId(numeric) : w.vm(value)) ??
        w.userVms.find((v) => (numeric !== undefined ? v.internalId === numeric : v.id === value));
    case 'uservm':
      return w.userVms.find((v) => (numeric !== undefined ? v.internalId === numeric : v.id === value));
    case 'volume':
      return w.userVms.find((v) => v.rootVolumeId === value);
    case 'router': {
      const vm = numeric !== undefined ? w.vmByInternalId(numeric) : w.vm(value);
      return vm?.kind === 'router' ? vm : undefined;
    }
    case 'network':
      return numeric !== undefined ? w.networkByInternalId(numeric) : w.network(value);
    case 'vpc':
      return numeric !== undefined ? w.vpcs.find((v) => v.internalId === numeric) : w.vpc(value);
    case 'zone':
      return numeric !== undefined ? w.zones.find((z) => z.internalId === numeric) : w.zone(value);
    case 'host':
      return numeric !== undefined ? w.hosts.find((h) => h.internalId === numeric) : w.host(value);
    case 'job':
      return numeric !== undefined ? core.jobs.getByInternalId(numeric) : core.jobs.get(value);
    case 'project':
      return [...w.projects.values()].find((p) => p.id === value);
    case 'ms':
      return numeric !== undefined ? core.cluster.servers.find((s) => s.record.internalId === numeric) : core.cluster.byId(value);
    case 'domain':
      return w.domains.get(value) ?? (numeric === 1 ? w.rootDomain : undefined);
    case 'account':
      return w.accounts.get(value);
    case 'pod':
      return w.zones.find((z) => z.podId === value);
    case 'cluster':
      return w.zones.find((z) => z.clusterId === value);
  }
}

function parseParam(core: LabCore, def: CommandDef, spec: ParamSpec, raw: string): unknown {
  const cmdLower = def.name.toLowerCase();
  switch (spec.type) {
    case 'string':
      return raw;
    case 'boolean':
      return raw.toLowerCase() === 'true';
    case 'integer': {
      if (!/^-?\d+$/.test(raw.trim())) {
        throw new ApiError(431, `Unable to execute API command ${cmdLower} due to invalid value ${raw} for parameter ${spec.name}`, CS.SERVER_API);
      }
      return Number.parseInt(raw, 10);
    }
    case 'uuid': {
      const e = resolveEntity(core, spec.entity!, raw.trim(), def.legacyIds ?? false);
      if (e === undefined) throw badUuid(spec.name, raw);
      return e;
    }
  }
}

const PAGING: readonly ParamSpec[] = [
  { name: 'page', type: 'integer' },
  { name: 'pagesize', type: 'integer' },
];

export function dispatch(core: LabCore, server: ManagementServer, def: CommandDef, params: ReadonlyMap<string, string>, caller: Caller): JsonObject {
  const key = responseKey(def);
  const injected = core.faults.takeApiError(def.name);
  if (injected) throw new ApiError(injected.code, injected.text, CS.CLOUD_RUNTIME);
  // 4.21+ ApiServer.queueCommand refuses before anything else; earlier releases refuse in submitAsyncJob,
  // after the parameters were checked (JobEngine.submit asks the server).
  const refused = def.async && apiFacts(core.world.msVersion).jobRefusal.early ? server.refusal() : undefined;
  if (refused) throw refused;
  const values = new Map<string, unknown>();
  for (const spec of def.list ? [...def.params, ...PAGING] : def.params) {
    const raw = params.get(spec.name);
    if (raw === undefined || raw === '') {
      if (spec.required) throw missingParam(def.name.toLowerCase(), spec.name);
      continue;
    }
    values.set(spec.name, parseParam(core, def, spec, raw));
  }
  const args = new Args(values);
  let start = 0;
  let end = Infinity;
  if (def.list) {
    const page = args.int('page');
    const pageSize = args.int('pagesize');
    const maxPage = Number.parseInt(server.setting('default.page.size') ?? '500', 10) || 500;
    if (page === undefined && pageSize !== undefined && pageSize !== -1) {
      throw new ApiError(431, '"page" parameter is required when "pagesize" is specified', CS.SERVER_API);
    }
    if (pageSize === undefined && page !== undefined) {
      throw new ApiError(431, '"pagesize" parameter is required when "page" is specified', CS.SERVER_API);
    }
    if (pageSize !== undefined && pageSize > maxPage) throw paramError(`Page size can't exceed max allowed page size value: ${maxPage}`);
    const size = pageSize === -1 ? Infinity : (pageSize ?? maxPage);
    const p = Math.max(1, page ?? 1);
    start = size === Infinity ? 0 : (p - 1) * size;
    end = start + size;
  }
  const result = core.jobs.as(server, () => def.handler({ core, server, caller, command: def }, args));
  switch (result.kind) {
    case 'object':
      return { [key]: { [result.name]: result.value } };
    case 'raw':
      return { [key]: result.body };
    case 'job':
      return { [key]: { jobid: result.jobId } };
    case 'list': {
      // ApiResponseSerializer: count only when non-zero, the list only when the page is non-empty.
      const inner: JsonObject = {};
      if (result.total > 0) inner.count = result.total;
      const items = result.slice(start, end === Infinity ? result.total : end);
      if (items.length > 0) inner[result.name] = items;
      return { [key]: inner };
    }
  }
}
