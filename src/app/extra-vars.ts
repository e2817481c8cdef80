// `-e key=value` and `-e @file.yml`: extra variables, the highest precedence. A file is read like every
// other input (regular file, UTF-8, positioned YAML, secret sources as in an inventory); a value under
// a secret-looking name (`-e db_password=…`) is registered as a secret, so it is masked everywhere.

import { dirname, resolve } from 'node:path';
import type { Problem } from '../diagnostics/problems.js';
import type { SecretRegistry } from '../secrets/masker.js';
import { isSecretName } from '../secrets/names.js';
import { SecretValueReader } from '../secrets/sources.js';
import { readSource } from '../util/read-source.js';
import { readDocument } from '../yaml/document.js';
import { parseYaml, sourceFile, toValue } from '../yaml/yaml-nodes.js';
import { UsageError } from './errors.js';

interface ExtraVars {
  readonly vars: Record<string, unknown>;
  readonly problems: readonly Problem[];
}

/** Every string inside a value: all of them are secret when the value's name is. */
function registerAll(v: unknown, secrets: SecretRegistry, depth = 0): void {
  if (typeof v === 'string' || typeof v === 'number') secrets.add(String(v));
  else if (v !== null && typeof v === 'object' && depth < 32) for (const x of Object.values(v)) registerAll(x, secrets, depth + 1);
}

function define(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

export function parseExtraVars(items: readonly string[], secrets: SecretRegistry, sources: Map<string, string>, resolveSecrets = true): ExtraVars {
  const out: Record<string, unknown> = {};
  const problems: Problem[] = [];
  /** A document that must hold a mapping of variables: an `-e @file` or an inline `-e '{…}'`. */
  const readMapping = (name: string, text: string, what: string, baseDir: string): void => {
    const doc = readDocument(name, text);
    if (!doc.ok) {
      problems.push(...doc.problems.items);
      return;
    }
    const r = doc.reader;
    if (doc.node === null || doc.node.kind !== 'map') {
      if (doc.node === null) problems.push({ code: 'wrong-type', message: `${what}: the file is empty; it must hold a mapping of variables`, pos: { file: name, line: 1, col: 1, offset: 0, length: 1 } });
      else r.problem(doc.node, 'wrong-type', `${what}: it must hold a mapping of variables, not ${r.describe(doc.node)}`);
      problems.push(...r.problems.items);
      return;
    }
    const values = new SecretValueReader(r, { secrets, resolve: resolveSecrets, baseDir });
    for (const p of doc.node.pairs) {
      const secretName = isSecretName(p.key);
      const v = values.value(p.value, `${what} ${p.key}`, false, secretName);
      if (secretName) registerAll(v, secrets);
      define(out, p.key, v);
    }
    problems.push(...r.problems.items);
  };
  for (const item of items) {
    if (item.startsWith('@')) {
      const path = item.slice(1);
      const read = readSource(path, 'vars file (-e @)');
      if (!read.ok) {
        problems.push(read.problem);
        continue;
      }
      sources.set(path, read.text);
      readMapping(path, read.text, `-e ${item}`, dirname(resolve(path)));
      continue;
    }
    if (item.trimStart().startsWith('{')) {
      // a JSON object (or YAML flow mapping) of variables, as Ansible's `-e '{"zones": ["z1"]}'`
      sources.set('-e', item);
      readMapping('-e', item, '-e', process.cwd());
      continue;
    }
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`-e '${item}': expected key=value, @file.yml or a JSON object`);
    const key = item.slice(0, eq);
    const raw = item.slice(eq + 1);
    // numbers, booleans, [lists] and {maps} keep their type; text that is not YAML stays text. Read by
    // the positioned reader, so an alias bomb on the command line meets the same budget as in a file.
    const parsed = parseYaml(sourceFile(`-e ${key}`, raw));
    if (!parsed.ok && parsed.code === 'alias-budget') {
      problems.push({ code: parsed.code, message: parsed.message, pos: parsed.pos });
      continue;
    }
    const value = parsed.ok ? (toValue(parsed.node) ?? raw) : raw;
    // a password given on the command line is masked like one from a secret source (output, events, journal)
    if (isSecretName(key)) {
      secrets.add(raw);
      registerAll(value, secrets);
    }
    define(out, key, value);
  }
  return { vars: out, problems };
}
