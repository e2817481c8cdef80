// Loads everything a command needs from the command line — inventory, extra vars (-e), the playbook
// (a path or the name of a bundled one) — and turns every problem into one InvalidInputError.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { implicitInventory, loadInventory } from '../inventory/load-inventory.js';
import type { Inventory } from '../inventory/types.js';
import type { Playbook } from '../loader/ast.js';
import { loadPlaybook } from '../loader/load-playbook.js';
import { InvalidInputError, type Problem } from '../diagnostics/problems.js';
import { SecretRegistry } from '../secrets/masker.js';
import { stepRegistry } from '../steps/registry.js';
import type { StepType } from '../steps/types.js';
import { UsageError } from './errors.js';

/** The package root: the nearest directory above this file with stackplay's package.json. */
export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && /"name"\s*:\s*"stackplay"/.test(readFileSync(pkg, 'utf8'))) return dir;
    if (dirname(dir) === dir) return resolve(from, '../../..');
  }
}
export const BUNDLED_DIR = join(PACKAGE_ROOT, 'playbooks');

export interface LoadedInput {
  readonly playbook: Playbook;
  readonly inventory: Inventory;
  readonly extraVars: Record<string, unknown>;
  readonly secrets: SecretRegistry;
  readonly sources: Map<string, string>;
}

function resolvePlaybookPath(ref: string): string {
  if (existsSync(ref)) return ref;
  for (const candidate of [join(BUNDLED_DIR, ref), join(BUNDLED_DIR, `${ref}.yml`), join(BUNDLED_DIR, `${ref}.yaml`)]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new UsageError(`playbook '${ref}' not found (neither a file nor a bundled playbook; see 'stackplay list')`);
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** `-e key=value` (value parsed as a YAML scalar) and `-e @file.yml` (a mapping; { env }/{ secret } values are secrets). */
function parseExtraVars(items: readonly string[], secrets: SecretRegistry, sources: Map<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of items) {
    if (item.startsWith('@')) {
      const path = item.slice(1);
      const text = readText(path, 'vars file');
      sources.set(path, text);
      let data: unknown;
      try {
        data = yaml.load(text, { filename: path, schema: yaml.CORE_SCHEMA });
      } catch (err) {
        const mark = (err as { mark?: { line: number; column: number; position: number } }).mark;
        const problem: Problem = {
          code: 'yaml-syntax', message: (err as { reason?: string }).reason ?? 'invalid YAML',
          pos: { file: path, line: (mark?.line ?? 0) + 1, col: (mark?.column ?? 0) + 1, offset: mark?.position ?? 0, length: 1 },
        };
        throw new InvalidInputError([problem]);
      }
      if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new UsageError(`-e ${item}: the file must hold a mapping of variables`);
      for (const [k, v] of Object.entries(data)) out[k] = resolveSecretValue(v, secrets, `-e ${item} ${k}`);
      continue;
    }
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`-e '${item}': expected key=value or @file.yml`);
    const key = item.slice(0, eq);
    const raw = item.slice(eq + 1);
    let value: unknown = raw;
    try {
      const parsed = yaml.load(raw, { schema: yaml.CORE_SCHEMA });
      value = parsed ?? raw; // numbers, booleans, [lists] and {maps} keep their type
    } catch {
      value = raw;
    }
    out[key] = value;
  }
  return out;
}

function resolveSecretValue(v: unknown, secrets: SecretRegistry, what: string): unknown {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const entries = Object.entries(v);
    if (entries.length === 1) {
      const [k, arg] = entries[0]!;
      if (k === 'secret' && typeof arg === 'string') {
        secrets.add(arg);
        return arg;
      }
      if (k === 'env' && typeof arg === 'string') {
        const val = process.env[arg];
        if (val === undefined) throw new UsageError(`${what}: environment variable ${arg} is not set`);
        secrets.add(val);
        return val;
      }
    }
    return Object.fromEntries(entries.map(([k, x]) => [k, resolveSecretValue(x, secrets, `${what}.${k}`)]));
  }
  return v;
}

interface LoadArgs {
  readonly playbookRef: string;
  readonly inventoryPath?: string;
  readonly extra: readonly string[];
  /** A run resolves { env } / { file } secrets; validation only checks their shape. */
  readonly forRun: boolean;
  readonly secrets?: SecretRegistry;
  /** The texts themselves, for a playbook or inventory that does not come from a file (named by its path). */
  readonly playbookText?: string;
  readonly inventoryText?: string;
  /** Variables given as values, above those of `extra`. */
  readonly extraVars?: Readonly<Record<string, unknown>>;
  /** The step types a playbook may use (default: every registered one). */
  readonly steps?: ReadonlyMap<string, StepType>;
}

export function loadInput(args: LoadArgs, sources: Map<string, string>): LoadedInput {
  const secrets = args.secrets ?? new SecretRegistry();
  const problems: Problem[] = [];
  let inventory = implicitInventory();
  if (args.inventoryPath !== undefined) {
    const text = args.inventoryText ?? readText(args.inventoryPath, 'inventory');
    sources.set(args.inventoryPath, text);
    const r = loadInventory(args.inventoryPath, text, { secrets, resolveSecrets: args.forRun });
    if (r.ok) inventory = r.inventory;
    else problems.push(...r.problems.sorted());
  }
  const extraVars = { ...parseExtraVars(args.extra, secrets, sources), ...args.extraVars };
  const path = args.playbookText !== undefined ? args.playbookRef : resolvePlaybookPath(args.playbookRef);
  const text = args.playbookText ?? readText(path, 'playbook');
  const display = path.startsWith(BUNDLED_DIR) ? path.slice(PACKAGE_ROOT.length + 1) : path;
  sources.set(display, text);
  let knownVars: Set<string> | undefined;
  if (args.inventoryPath !== undefined) {
    knownVars = new Set([...Object.keys(inventory.vars), ...Object.keys(extraVars)]);
    for (const h of inventory.hosts.values()) for (const k of [...Object.keys(h.groupVars), ...Object.keys(h.hostVars)]) knownVars.add(k);
  }
  // with an inventory, host arguments (via, from, host) must name its hosts
  const steps = args.steps ?? stepRegistry;
  const r = loadPlaybook(display, text, knownVars ? { steps, knownVars, hosts: new Set(inventory.hosts.keys()) } : { steps });
  if (!r.ok) problems.push(...r.problems.sorted());
  if (problems.length > 0 || !r.ok) throw new InvalidInputError(problems);
  return { playbook: r.playbook, inventory, extraVars, secrets, sources };
}

/** Just an inventory (for `trust`), with every problem reported like the loader's. */
export function loadInventoryFile(path: string | undefined, sources: Map<string, string>): Inventory {
  if (path === undefined) return implicitInventory();
  const text = readText(path, 'inventory');
  sources.set(path, text);
  const r = loadInventory(path, text, { secrets: new SecretRegistry(), resolveSecrets: true });
  if (!r.ok) throw new InvalidInputError(r.problems.sorted());
  return r.inventory;
}
