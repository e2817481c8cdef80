// Secret sources in YAML values: exactly one known key; what only looks like a source is a problem at
// its position, while ordinary mappings that happen to use the same words stay data.

import { expect } from 'chai';
import { SecretRegistry } from '../../src/secrets/masker.js';
import { SecretValueReader } from '../../src/secrets/sources.js';
import { readDocument } from '../../src/yaml/document.js';

function read(yamlText: string, env: NodeJS.ProcessEnv = {}): { value: unknown; problems: string[]; secrets: SecretRegistry } {
  const doc = readDocument('v.yml', yamlText);
  if (!doc.ok || doc.node === null) throw new Error('bad test input');
  const secrets = new SecretRegistry();
  const value = new SecretValueReader(doc.reader, { secrets, resolve: true, baseDir: '.', env }).value(doc.node, 'vars');
  return { value, problems: doc.reader.problems.items.map((p) => `${p.pos?.line}:${p.pos?.col} ${p.code}`), secrets };
}

describe('secrets: secret sources in values', () => {
  it('resolves and registers { secret }, { env } under any name', () => {
    const r = read('a: { secret: lit-1234 }\nb: { env: X_SECRET }\n', { X_SECRET: 'env-5678' });
    expect(r.value).to.deep.equal({ a: 'lit-1234', b: 'env-5678' });
    expect(r.secrets.mask('lit-1234 env-5678')).to.equal('*** ***');
  });

  it('refuses a mapping with secret: and another key, another tool\'s store, a misspelt source', () => {
    const r = read('a: { secret: x1, env: Y }\nb: { vault: x2 }\nc: { secrets: x3 }\n');
    expect(r.problems).to.deep.equal(['1:4 bad-secret-source', '2:4 bad-secret-source', '3:4 bad-secret-source']);
  });

  it('refuses any mapping that is not a source where a secret is expected (a secret-looking name)', () => {
    expect(read('db_password: { env: X, default: y }\n').problems).to.deep.equal(['1:14 bad-secret-source']);
    expect(read('api_key: { value: y }\n').problems).to.deep.equal(['1:10 bad-secret-source']);
  });

  it('leaves ordinary mappings alone, even with the words env or file in them', () => {
    const r = read('deploy: { env: production, region: eu }\nconfig: { files: [a, b] }\n');
    expect(r.problems).to.deep.equal([]);
    expect(r.value).to.deep.equal({ deploy: { env: 'production', region: 'eu' }, config: { files: ['a', 'b'] } });
  });
});
