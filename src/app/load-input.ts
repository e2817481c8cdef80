// Loads everything a command needs from the command line — inventory, extra vars (-e), the playbook
// (a path or the name of a bundled one) — and turns every problem into one InvalidInputError.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { implicitInventory, loadInventory } from '../inventory/load-inventory.js';
import type { Inventory } from '../inventory/types.js';
import type { Playbook } from '../loader/ast.js';
import { loadPlaybook } from '../loader/load-playbook.js';
import { InvalidInputError, type Problem } from '../diagnostics/problems.js';
import { SecretRegistry } from '../secrets/masker.js';
import { stepRegistry } from '../steps/registry.js';
import type { StepType } from '../steps/types.js';
import { UsageError } from './errors.js';
import { parseExtraVars } from './extra-vars.js';
import { readSource } from '../util/read-source.js';

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

/** The text of an input file, or its problem (not a regular file, too large, not UTF-8) added to `problems`. */
function readInput(path: string, what: string, problems: Problem[], shown = path): string | undefined {
  const read = readSource(path, what, shown);
  if (read.ok) return read.text;
  problems.push(read.problem);
  return undefined;
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
  // what the checks of the playbook can rely on: a broken inventory or -e file checks nothing against it
  // (its problems are reported; "undefined variable" for each of its variables would only bury them)
  let contextOk = true;
  if (args.inventoryPath !== undefined) {
    const text = args.inventoryText ?? readInput(args.inventoryPath, 'inventory', problems);
    if (text === undefined) contextOk = false;
    else {
      sources.set(args.inventoryPath, text);
      const r = loadInventory(args.inventoryPath, text, { secrets, resolveSecrets: args.forRun });
      if (r.ok) inventory = r.inventory;
      else {
        problems.push(...r.problems.sorted());
        contextOk = false;
      }
    }
  }
  const extra = parseExtraVars(args.extra, secrets, sources, args.forRun);
  if (extra.problems.length > 0) {
    problems.push(...extra.problems);
    contextOk = false;
  }
  const vars = { ...extra.vars, ...args.extraVars };
  const path = args.playbookText !== undefined ? args.playbookRef : resolvePlaybookPath(args.playbookRef);
  const display = path.startsWith(BUNDLED_DIR) ? path.slice(PACKAGE_ROOT.length + 1) : path;
  const text = args.playbookText ?? readInput(path, 'playbook', problems, display);
  if (text === undefined) throw new InvalidInputError(problems);
  sources.set(display, text);
  // A run knows its inventory, the implicit one (localhost) included: variables, host arguments and
  // host patterns are checked against it. `validate` without -i checks what needs no inventory.
  const knowsInventory = contextOk && (args.inventoryPath !== undefined || args.forRun);
  let knownVars: Set<string> | undefined;
  if (knowsInventory) {
    knownVars = new Set([...Object.keys(inventory.vars), ...Object.keys(vars)]);
    for (const h of inventory.hosts.values()) for (const k of [...Object.keys(h.groupVars), ...Object.keys(h.hostVars)]) knownVars.add(k);
  }
  const secretSources = { secrets, resolve: args.forRun, baseDir: dirname(resolve(path)) };
  const r = loadPlaybook(display, text, knownVars
    ? { steps: args.steps ?? stepRegistry, knownVars, hosts: new Set(inventory.hosts.keys()), inventory, secretSources }
    : { steps: args.steps ?? stepRegistry, secretSources });
  if (!r.ok) problems.push(...r.problems.sorted());
  if (problems.length > 0 || !r.ok) throw new InvalidInputError(problems);
  return { playbook: r.playbook, inventory, extraVars: vars, secrets, sources };
}

/** Just an inventory (for `trust`), with every problem reported like the loader's. */
export function loadInventoryFile(path: string | undefined, sources: Map<string, string>): Inventory {
  if (path === undefined) return implicitInventory();
  const problems: Problem[] = [];
  const text = readInput(path, 'inventory', problems);
  if (text === undefined) throw new InvalidInputError(problems);
  sources.set(path, text);
  const r = loadInventory(path, text, { secrets: new SecretRegistry(), resolveSecrets: true });
  if (!r.ok) throw new InvalidInputError(r.problems.sorted());
  return r.inventory;
}
