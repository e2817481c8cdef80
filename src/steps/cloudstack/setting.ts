// `cloudstack.setting`: make a configuration setting have a value. Reads the row with listConfigurations
// (a substring match, so the exact name is picked, docs/cloudstack-facts.md §2.4) and calls updateConfiguration only
// when the value differs. Registers `previous` so `undo` can put the old value back.

import { getConfiguration } from '../../cloudstack/helpers.js';
import type { CloudStackClient } from '../../cloudstack/types.js';
import { arg } from '../schema/arg.js';
import { allKnown, firstUnknown, type ArgsOf } from '../schema/schema.js';
import { defineStep, StepFailedError, type StepContext, type StepOutcome } from '../types.js';
import { clientFor, HOST_ARG, MODE_ARG } from './common.js';

const SCOPES = ['zoneid', 'clusterid', 'storageid', 'accountid', 'domainid', 'imagestoreuuid'] as const;

const SETTING_ARGS = {
  name: arg.string('exact setting name, e.g. integration.api.port').required(),
  value: arg.any('the wanted value (null or "" clears it)').required(),
  zoneid: arg.string('zone scope (uuid)'),
  clusterid: arg.string('cluster scope (uuid)'),
  storageid: arg.string('primary-storage scope (uuid)'),
  accountid: arg.string('account scope (uuid)'),
  domainid: arg.string('domain scope (uuid)'),
  imagestoreuuid: arg.string('image-store scope (uuid)'),
  host: HOST_ARG,
  mode: MODE_ARG,
};
type SettingArgs = ArgsOf<typeof SETTING_ARGS>;

/** The value as the server stores it: trimmed; "" and "null" mean no value (§2.3). */
function normalize(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const s = (typeof v === 'string' ? v : String(v)).trim();
  return s === '' || s === 'null' ? null : s;
}

function scopeOf(args: SettingArgs): { params: Record<string, string>; label: string } {
  const given = SCOPES.filter((k) => args[k] !== undefined && args[k] !== '');
  if (given.length > 1) throw new StepFailedError(`give at most one scope (${SCOPES.join(', ')}); CloudStack refuses several: got ${given.join(', ')}`);
  const k = given[0];
  if (k === undefined) return { params: {}, label: 'global' };
  return { params: { [k]: String(args[k]) }, label: `${k}=${String(args[k])}` };
}

const show = (v: string | null): string => (v === null ? '(no value)' : `'${v}'`);

interface Reading {
  readonly name: string;
  readonly client: CloudStackClient;
  readonly previous: string | null;
  readonly wanted: string | null;
  readonly isdynamic: boolean;
  readonly scope: { params: Record<string, string>; label: string };
}

async function read(ctx: StepContext, args: SettingArgs): Promise<Reading> {
  const { name, client } = await clientFor(ctx, args.host, args.mode);
  const scope = scopeOf(args);
  const row = await getConfiguration(client, args.name, scope.params);
  if (!row) throw new StepFailedError(`${name} has no setting named '${args.name}'${scope.label !== 'global' ? ` at scope ${scope.label}` : ''} (listConfigurations found no exact match)`);
  return {
    name, client, scope,
    previous: normalize(row['value']),
    wanted: normalize(args.value),
    // Absent isdynamic: legacy settings are stored non-dynamic (§2.6), so assume a restart is needed.
    isdynamic: row['isdynamic'] === true,
  };
}

function outcome(r: Reading, args: SettingArgs, changed: boolean, planned: boolean): StepOutcome {
  const needsRestart = changed && !r.isdynamic;
  const result = {
    name: args.name, previous: r.previous, value: changed ? r.wanted : r.previous, changed, needs_restart: needsRestart,
    isdynamic: r.isdynamic, scope: r.scope.label,
  };
  const where = r.scope.label === 'global' ? '' : ` (${r.scope.label})`;
  const restart = needsRestart ? '; takes effect after a management-server restart' : '';
  const msg = changed
    ? `${planned ? 'would set' : 'set'} ${args.name}${where} from ${show(r.previous)} to ${show(r.wanted)} on ${r.name}${restart}`
    : `${args.name}${where} is already ${show(r.previous)} on ${r.name}`;
  return { changed, msg, result, ...(planned ? { plan: msg } : {}) };
}

export const settingStep = defineStep({
  name: 'cloudstack.setting',
  summary: 'Set a CloudStack configuration setting if it differs (registers previous, value, changed, needs_restart)',
  description: [
    'Reads the row with `listConfigurations` and keeps only the exact name (the server matches substrings, '
      + '[cloudstack-facts.md §2.4](cloudstack-facts.md)); calls `updateConfiguration` only if the value differs (`null` or `""` '
      + 'clears it). A dry run reads the current value and predicts `changed`, `previous` and `needs_restart`. Undo restores the '
      + 'previous value — an undo step is given the original step\'s result:',
    '',
    '```yaml',
    '- name: open the integration port (DB value; read at the next restart)',
    '  cloudstack.setting: {name: integration.api.port, value: 8096}',
    '  undo:',
    '    name: close it again',
    '    cloudstack.setting: {name: integration.api.port, value: "{{result.previous}}"}',
    '```',
  ].join('\n'),
  result: {
    name: ['string', 'the setting'],
    previous: ['string or null', 'its value before the step'],
    value: ['string or null', 'its value after the step'],
    needs_restart: ['boolean', 'the value changed and the setting is not dynamic (read only when a management server starts)'],
    isdynamic: ['boolean', 'CloudStack applies a change at once'],
    scope: ['string', '`global`, or the scope given (`zone <id>`, …)'],
  },
  args: SETTING_ARGS,
  effect: 'write',
  runsOn: 'runner',
  describe: (args) => `set ${String(args.name)} to ${JSON.stringify(args.value)}`,
  async check(ctx, args) {
    if (!allKnown(args)) {
      const u = firstUnknown(args)!;
      return { changed: true, plan: `would set ${String(args.name)}`, unknown: `${u.name} is unknown in a dry run: ${u.reason}` };
    }
    const r = await read(ctx, args);
    return outcome(r, args, r.previous !== r.wanted, true);
  },
  async apply(ctx, args) {
    const r = await read(ctx, args);
    if (r.previous === r.wanted) return outcome(r, args, false, false);
    // "" clears a value; `value` absent would only echo the current row back (§2.3).
    await r.client.call('updateConfiguration', { name: args.name, value: r.wanted ?? '', ...r.scope.params });
    ctx.services.record('change', { endpoint: r.name, setting: args.name, scope: r.scope.label, previous: r.previous, value: r.wanted });
    return outcome(r, args, true, false);
  },
});
