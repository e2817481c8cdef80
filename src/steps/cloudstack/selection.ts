// Filters that must name something. In a step that writes, each zone, VM, network or VPC a filter names
// is checked against what the cloud has before anything is done (dry runs too): a typo is an error that
// names the value, what exists and the nearest name, instead of a "successful" run that touched nothing.
// Filters that name only real things but select nothing between them are an error too, unless the
// playbook allows an empty selection (`allow_empty: true`). States and requiresupgrade are not such
// filters: "nothing is Running" or "nothing needs an upgrade any more" is a run with nothing to do.

import type { CloudStackClient } from '../../cloudstack/types.js';
import { closestName } from '../../diagnostics/suggest.js';
import { arg } from '../schema/arg.js';
import { StepFailedError } from '../types.js';
import { listNetworks, listVpcs, text, type Row } from './queries.js';

export const ALLOW_EMPTY_ARG = arg.bool(
  'an empty selection (filters that name only existing zones/VMs/networks but match nothing together) is fine; default false: an error',
).default(false);

/** What a filter's values may name: objects with a name and an id. */
export interface Universe {
  readonly noun: string;
  readonly plural: string;
  readonly items: ReadonlyArray<{ readonly name: string; readonly id: string }>;
}

export interface FilterCheck {
  readonly arg: string;
  readonly values: readonly string[];
  /** Read only when the filter has values: each listing is an API call. */
  readonly universe: () => Promise<Universe>;
}

/** Lists shown in an error: enough to spot the right name, not a page of 1,000 routers. */
const MAX_SHOWN = 12;

export function universeOf(rows: readonly Row[], noun: string, plural: string): Universe {
  return { noun, plural, items: rows.map((r) => ({ name: text(r['name'], ''), id: text(r['id'], '') })) };
}

export async function zoneUniverse(client: CloudStackClient): Promise<Universe> {
  return universeOf([...(await client.listAll('listZones', {}, { objectName: 'zone' })).items], 'zone', 'zones');
}

export async function networkUniverse(client: CloudStackClient): Promise<Universe> {
  return universeOf(await listNetworks(client), 'network', 'networks');
}

export async function vpcUniverse(client: CloudStackClient): Promise<Universe> {
  return universeOf(await listVpcs(client), 'VPC', 'VPCs');
}

/** Fails with every filter value that names nothing on `endpoint`, each with what exists and the nearest name. */
export async function requireKnown(endpoint: string, checks: readonly FilterCheck[]): Promise<void> {
  const problems: string[] = [];
  for (const c of checks) {
    if (c.values.length === 0) continue;
    const u = await c.universe();
    const names = u.items.map((i) => i.name).filter((n) => n !== '');
    for (const v of c.values) {
      if (u.items.some((i) => i.name === v || i.id === v)) continue;
      const near = closestName(v, names);
      const shown = names.length === 0 ? `there are no ${u.plural}` : `${u.plural}: ${names.slice(0, MAX_SHOWN).join(', ')}${names.length > MAX_SHOWN ? `, … (${names.length})` : ''}`;
      problems.push(`${c.arg}: no ${u.noun} '${v}' on ${endpoint}${near ? ` — did you mean '${near}'?` : ''} (${shown})`);
    }
  }
  if (problems.length > 0) throw new StepFailedError(`${problems.join('; ')}. Nothing was done.`);
}

/**
 * Fails when filters that name things were given and select nothing together (before states and
 * requiresupgrade narrow further), unless an empty selection is allowed.
 */
export function requireSelected(endpoint: string, what: string, filters: Readonly<Record<string, readonly string[]>>, named: number, allowEmpty: boolean): void {
  const given = Object.entries(filters).filter(([, v]) => v.length > 0);
  if (given.length === 0 || named > 0 || allowEmpty) return;
  const described = given.map(([k, v]) => `${k} ${v.join(', ')}`).join('; ');
  throw new StepFailedError(`no ${what} on ${endpoint} in ${described}: every value exists, but together they select nothing. ` +
    'Nothing was done; pass allow_empty: true (the bundled playbooks: -e allow_empty_selection=true) if an empty selection is expected.');
}
