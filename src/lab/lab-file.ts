// The lab YAML file (`stackplay lab --config lab.yml`): world layout, faults and lab options in one
// document. Every problem is reported at once with its key path.

import fs from 'node:fs';
import yaml from 'js-yaml';
import type { LabFaults } from './faults.js';
import type { LabOptions } from './options.js';
import { LabConfigError, resolveWorldConfig, type WorldConfig } from './world/world-config.js';

const KNOWN = ['world', 'faults', 'speed', 'seed', 'restartDelayMs', 'restartGraceMs', 'db', 'apiPort', 'sshPort', 'integrationPort', 'adminPassword'];
const FAULT_KEYS = ['failJob', 'silentPatchFailure', 'restartDelayMs', 'restartNever', 'sshDropAfter', 'apiError'];

export function parseLabFile(text: string, where = 'lab.yml'): LabOptions {
  let doc: unknown;
  try {
    doc = yaml.load(text);
  } catch (e) {
    throw new LabConfigError([`${where}: ${(e as Error).message.split('\n')[0]}`]);
  }
  if (doc === undefined || doc === null) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new LabConfigError([`${where}: expected a mapping at the top level`]);
  const o = doc as Record<string, unknown>;
  const problems: string[] = [];
  for (const k of Object.keys(o)) if (!KNOWN.includes(k)) problems.push(`${where}: ${k}: unknown key (known: ${KNOWN.join(', ')})`);
  const num = (k: string): number | undefined => {
    const v = o[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) problems.push(`${where}: ${k}: expected a non-negative number`);
    return typeof v === 'number' ? v : undefined;
  };
  let world: WorldConfig | undefined;
  try {
    world = o.world === undefined ? undefined : (resolveWorldConfig(o.world, `${where}: world`) as WorldConfig);
  } catch (e) {
    if (e instanceof LabConfigError) problems.push(...e.problems);
    else throw e;
  }
  let faults: LabFaults | undefined;
  if (o.faults !== undefined) {
    if (typeof o.faults !== 'object' || o.faults === null || Array.isArray(o.faults)) problems.push(`${where}: faults: expected a mapping`);
    else {
      for (const k of Object.keys(o.faults)) if (!FAULT_KEYS.includes(k)) problems.push(`${where}: faults.${k}: unknown fault (known: ${FAULT_KEYS.join(', ')})`);
      faults = o.faults as LabFaults;
    }
  }
  const db = o.db as { user?: unknown; password?: unknown } | undefined;
  if (db !== undefined && (typeof db !== 'object' || db === null)) problems.push(`${where}: db: expected { user, password }`);
  const seed = o.seed;
  if (seed !== undefined && typeof seed !== 'number' && typeof seed !== 'string') problems.push(`${where}: seed: expected a number or string`);
  const out: LabOptions = {
    ...(world ? { config: world } : {}),
    ...(faults ? { faults } : {}),
    ...(num('speed') !== undefined ? { speed: num('speed')! } : {}),
    ...(seed !== undefined ? { seed: seed as number | string } : {}),
    ...(num('restartDelayMs') !== undefined ? { restartDelayMs: num('restartDelayMs')! } : {}),
    ...(num('restartGraceMs') !== undefined ? { restartGraceMs: num('restartGraceMs')! } : {}),
    ...(num('apiPort') !== undefined ? { apiPort: num('apiPort')! } : {}),
    ...(num('sshPort') !== undefined ? { sshPort: num('sshPort')! } : {}),
    ...(num('integrationPort') !== undefined ? { integrationPort: num('integrationPort')! } : {}),
    ...(typeof db?.user === 'string' ? { dbUser: db.user } : {}),
    ...(typeof db?.password === 'string' ? { dbPassword: db.password } : {}),
    ...(typeof o.adminPassword === 'string' ? { adminPassword: o.adminPassword } : {}),
  };
  if (problems.length) throw new LabConfigError(problems);
  return out;
}

export function readLabFile(path: string): LabOptions {
  return parseLabFile(fs.readFileSync(path, 'utf8'), path);
}
