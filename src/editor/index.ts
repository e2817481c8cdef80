// JSON Schemas for editors and tools, generated from what the loaders check: the playbook schema from
// the registered step types' argument definitions, the inventory schema from the inventory's keys.
// `stackplay schema` prints or writes them; schemas/ in the repository holds the shipped copies.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stepRegistry } from '../steps/registry.js';
import { inventorySchema } from './inventory-schema.js';
import { playbookSchema } from './playbook-schema.js';

export { inventorySchema, playbookSchema };

/** The schema files as shipped in schemas/: file name → text (stable key order, final newline). */
export function schemaFiles(): ReadonlyMap<string, string> {
  const text = (schema: unknown): string => `${JSON.stringify(schema, null, 2)}\n`;
  return new Map([
    ['playbook.schema.json', text(playbookSchema(stepRegistry))],
    ['inventory.schema.json', text(inventorySchema())],
  ]);
}

/** Writes the schema files into `dir` (created if missing); answers the paths written. */
export function writeSchemaFiles(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return [...schemaFiles()].map(([name, text]) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  });
}
