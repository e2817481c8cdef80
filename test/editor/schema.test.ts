// The JSON Schemas for editors, checked with a real validator (ajv): the shipped copies in schemas/
// are what `stackplay schema` generates now, every bundled and example playbook carries the
// yaml-language-server comment and validates, and the structural mistakes the loader refuses (unknown
// step type, key or argument, an argument of the wrong kind) are refused by the schema too.

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { Ajv } from 'ajv';
import yaml from 'js-yaml';
import { schemaFiles } from '../../src/editor/index.js';
import { corpusCases } from '../support/invalid-corpus.js';
import { BIN, FIXTURES, REPO_ROOT } from '../support/paths.js';

const SCHEMAS = join(REPO_ROOT, 'schemas');

function validator(name: string): (data: unknown) => string[] {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(JSON.parse(readFileSync(join(SCHEMAS, name), 'utf8')) as object);
  return (data) => (validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`));
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.yml')).map((e) => join(e.parentPath, e.name)).sort();
}

/** Codes of problems in a playbook's shape, which a schema can see without running anything. */
const STRUCTURAL = new Set(['unknown-step-type', 'unknown-key', 'unknown-argument', 'multiple-step-types', 'missing-step-type', 'ansible-habit', 'play-key-on-step', 'missing-key', 'missing-argument']);
/** Arguments and keys of the wrong kind (the other wrong-type cases are about rendered or typed values). */
const WRONG_KIND = ['wrong-type.yml', 'bad-duration.yml', 'loop-string.yml', 'argument-wrong-kind.yml', 'bad-register.yml'];

describe('editor: JSON Schemas for playbooks and inventories', function () {
  this.timeout(60_000);
  const playbook = validator('playbook.schema.json');
  const inventory = validator('inventory.schema.json');
  const bundled = yamlFiles(join(REPO_ROOT, 'playbooks'));

  it('the shipped schemas are what `stackplay schema --out` writes from the step definitions now', () => {
    for (const [name, text] of schemaFiles()) {
      expect(readFileSync(join(SCHEMAS, name), 'utf8'), `schemas/${name} is stale: run 'stackplay schema --out schemas'`).to.equal(text);
    }
    const dir = mkdtempSync(join(os.tmpdir(), 'stackplay-schema-'));
    try {
      const r = spawnSync(process.execPath, [BIN, 'schema', '--out', dir], { encoding: 'utf8' });
      expect(r.status, r.stderr).to.equal(0);
      for (const name of ['playbook.schema.json', 'inventory.schema.json']) {
        expect(readFileSync(join(dir, name), 'utf8')).to.equal(readFileSync(join(SCHEMAS, name), 'utf8'));
      }
      const printed = spawnSync(process.execPath, [BIN, 'schema', 'inventory'], { encoding: 'utf8' });
      expect(printed.stdout).to.equal(readFileSync(join(SCHEMAS, 'inventory.schema.json'), 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has bundled and example playbooks to check', () => {
    expect(bundled.map((f) => relative(REPO_ROOT, f))).to.include.members(['playbooks/examples/hello.yml', 'playbooks/cloudstack/systemvm-restart.yml']);
  });

  for (const file of bundled) {
    const name = relative(REPO_ROOT, file);
    it(`${name} names the schema in its first line and validates against it`, () => {
      const first = readFileSync(file, 'utf8').split('\n')[0]!;
      const m = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
      expect(m, first).to.not.equal(null);
      expect(resolve(dirname(file), m![1]!)).to.equal(join(SCHEMAS, 'playbook.schema.json'));
      expect(playbook(yaml.load(readFileSync(file, 'utf8')))).to.deep.equal([]);
    });
  }

  for (const file of yamlFiles(join(REPO_ROOT, 'inventories'))) {
    const name = relative(REPO_ROOT, file);
    it(`${name} names the inventory schema in its first line and validates against it`, () => {
      const first = readFileSync(file, 'utf8').split('\n')[0]!;
      const m = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
      expect(m, first).to.not.equal(null);
      expect(resolve(dirname(file), m![1]!)).to.equal(join(SCHEMAS, 'inventory.schema.json'));
      expect(inventory(yaml.load(readFileSync(file, 'utf8')))).to.deep.equal([]);
    });
  }

  it('the valid test playbooks and inventory validate too', () => {
    for (const f of ['uses-inventory.yml', 'fails.yml']) expect(playbook(yaml.load(readFileSync(join(FIXTURES, 'valid', f), 'utf8'))), f).to.deep.equal([]);
    expect(inventory(yaml.load(readFileSync(join(FIXTURES, 'valid/corpus-inventory.yml'), 'utf8')))).to.deep.equal([]);
  });

  it('refuses the invalid fixtures the loader refuses for their shape', () => {
    const cases = corpusCases().filter((c) => c.kind === 'playbook' && (STRUCTURAL.has(c.code) || WRONG_KIND.some((w) => c.file.endsWith(`/${w}`))));
    expect(cases.length).to.be.greaterThan(15);
    for (const c of cases) {
      expect(playbook(yaml.load(readFileSync(join(REPO_ROOT, c.file), 'utf8'))), c.file).to.not.deep.equal([]);
    }
  });

  it('refuses an inventory with an unknown key, a password not from a secret source, a port out of range', () => {
    expect(inventory({ hosts: { a: { adress: 'x' } } })).to.not.deep.equal([]);
    expect(inventory({ hosts: { a: { password: 'plain' } } })).to.not.deep.equal([]);
    expect(inventory({ hosts: { a: { cloudstack: { integration_port: 70000 } } } })).to.not.deep.equal([]);
    expect(inventory({ hosts: { a: { password: { env: 'A' } }, b: null }, groups: { g: { hosts: ['a'] } } })).to.deep.equal([]);
  });
});
