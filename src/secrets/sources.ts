// Secret sources in YAML values — `{ secret: VALUE }`, `{ env: NAME }`, `{ file: PATH }` — read the same
// way in an inventory, a playbook's vars and an `-e @file`: resolved (for a run) and registered with the
// run's SecretRegistry so they are masked everywhere. A source is exactly one of those keys; a mapping
// that only looks like one (`{ secret: x, env: y }`, `{ vault: … }`) is a problem at its position.

import { readSource, SECRET_FILE_LIMIT } from '../util/read-source.js';
import { closestName } from '../diagnostics/suggest.js';
import type { NodeReader } from '../yaml/node-reader.js';
import type { YMap, YNode } from '../yaml/yaml-nodes.js';
import { isSecretName } from './names.js';
import type { SecretRegistry } from './masker.js';
import { homedir } from 'node:os';
import { resolve } from 'node:path';

export const SOURCE_KEYS = ['secret', 'env', 'file'] as const;
/** Secret stores of other tools: stackplay reads none of them. */
const FOREIGN_SOURCES = new Set(['vault', 'ansible_vault', '!vault', 'keyring', 'sops', 'pass']);
const HOW = '{ secret: VALUE }, { env: NAME } or { file: PATH }';

export interface SecretSourceOptions {
  readonly secrets: SecretRegistry;
  /** Resolve { env } / { file } now (a run); validation alone checks their shape and shows placeholders. */
  readonly resolve: boolean;
  /** Relative { file } paths are read from here (the inventory's or playbook's folder). */
  readonly baseDir: string;
  readonly env?: NodeJS.ProcessEnv;
}

export function expandPath(p: string, baseDir: string): string {
  if (p.startsWith('~/')) return resolve(homedir(), p.slice(2));
  return resolve(baseDir, p);
}

/** Reads values that may hold secret sources, resolving and registering them. */
export class SecretValueReader {
  constructor(
    private readonly r: NodeReader,
    private readonly options: SecretSourceOptions,
  ) {}

  /** The single-key mapping that is a secret source, if `node` is one. */
  sourceOf(node: YNode): YMap | undefined {
    if (node.kind !== 'map' || node.pairs.length !== 1) return undefined;
    return (SOURCE_KEYS as readonly string[]).includes(node.pairs[0]!.key) ? node : undefined;
  }

  /**
   * A mapping that was meant as a secret source but is not one: where a secret is expected (a secret
   * field, a secret-looking name) any mapping; elsewhere one with `secret:` among other keys, or a
   * single key naming another tool's store or misspelling a source.
   */
  private malformed(node: YMap, secretExpected: boolean): string | undefined {
    const keys = node.pairs.map((p) => p.key);
    const sourceKeys = keys.filter((k) => (SOURCE_KEYS as readonly string[]).includes(k));
    if (sourceKeys.length > 0 && keys.length > 1 && (secretExpected || keys.includes('secret'))) {
      return `a secret source has exactly one key (${HOW}); this mapping has ${keys.map((k) => `'${k}'`).join(', ')}`;
    }
    if (keys.length === 1) {
      const k = keys[0]!;
      if (FOREIGN_SOURCES.has(k)) return `'${k}' is not a secret source stackplay reads; write ${HOW}`;
      const near = closestName(k, SOURCE_KEYS);
      // elsewhere only a misspelt 'secret' is taken for a source: { files: […] } is ordinary data
      if (near !== undefined && (secretExpected || near === 'secret')) return `'${k}' is not a secret source — did you mean '${near}'? (${HOW})`;
    }
    if (secretExpected && sourceKeys.length === 0) return `must come from a secret source (${HOW}), not a mapping`;
    return undefined;
  }

  /**
   * Resolves a value; secret sources become strings registered with the SecretRegistry. `mustBeSecret`:
   * a plain value is refused (passwords and API keys of the inventory).
   */
  value(node: YNode, what: string, mustBeSecret = false, secretName = mustBeSecret): unknown {
    const src = this.sourceOf(node);
    if (src) return this.resolveSecret(src, what);
    if (node.kind === 'map') {
      const bad = this.malformed(node, secretName);
      if (bad !== undefined) {
        this.r.problem(node, 'bad-secret-source', `${what}: ${bad}`);
        return undefined;
      }
    }
    if (mustBeSecret && node.kind === 'scalar' && node.value !== null) {
      this.r.problem(node, 'plain-secret', `${what} must come from a secret source, e.g. ${HOW}`);
      return undefined;
    }
    if (node.kind === 'scalar') return node.value;
    if (node.kind === 'seq') return node.items.map((i) => this.value(i, what, false, secretName));
    const out: Record<string, unknown> = {};
    for (const p of node.pairs) {
      const v = this.value(p.value, `${what}.${p.key}`, false, isSecretName(p.key));
      if (p.key === '__proto__') Object.defineProperty(out, p.key, { value: v, enumerable: true, writable: true, configurable: true });
      else out[p.key] = v;
    }
    return out;
  }

  private resolveSecret(src: YMap, what: string): string | undefined {
    const { key, value } = src.pairs[0]!;
    const arg = value.kind === 'scalar' && value.value !== null ? String(value.value) : undefined;
    if (arg === undefined || arg === '') {
      this.r.problem(value, 'wrong-type', `${what}: '${key}' needs a string`);
      return undefined;
    }
    if (key === 'secret') {
      this.options.secrets.add(arg);
      return arg;
    }
    if (!this.options.resolve) return `<${key}:${arg}>`;
    if (key === 'env') {
      const v = (this.options.env ?? process.env)[arg];
      if (v === undefined || v === '') {
        this.r.problem(value, 'missing-secret', `${what}: environment variable ${arg} is not set`);
        return undefined;
      }
      this.options.secrets.add(v);
      return v;
    }
    const read = readSource(expandPath(arg, this.options.baseDir), 'secret file', arg, SECRET_FILE_LIMIT);
    if (!read.ok) {
      // the file's own problem names what it is; the position is the reference to it
      this.r.problem(value, 'missing-secret', `${what}: ${read.problem.message}`);
      return undefined;
    }
    const v = read.text.replace(/\r?\n$/, '');
    this.options.secrets.add(v);
    return v;
  }
}
