// Inventory problems reported at load time, at their position: values the runner would only trip over
// mid-run (a CloudStack url without a scheme, a jump chain that loops).

import { expect } from 'chai';
import { loadInventory } from '../../src/inventory/load-inventory.js';
import { SecretRegistry } from '../../src/secrets/masker.js';

function problems(text: string): ReadonlyArray<{ code: string; message: string; pos: unknown }> {
  const r = loadInventory('inv.yml', text, { secrets: new SecretRegistry(), resolveSecrets: false });
  expect(r.ok, 'the inventory is rejected').to.equal(false);
  return r.ok ? [] : r.problems.items;
}

describe('inventory loader', () => {
  it('rejects a CloudStack url that is not http(s), at its position', () => {
    expect(problems('hosts:\n  ms:\n    cloudstack:\n      url: 10.0.0.5:8080\n')[0]).to.deep.include({ code: 'bad-value' }).and.nested.include({ 'pos.line': 4, 'pos.col': 12 });
  });

  it('a url from a secret source is not checked before secrets are resolved (a placeholder stands there)', () => {
    const r = loadInventory('inv.yml', 'hosts:\n  ms:\n    cloudstack:\n      url: {env: CS_URL}\n', { secrets: new SecretRegistry(), resolveSecrets: false });
    expect(r.ok, r.ok ? '' : JSON.stringify(r.problems.items)).to.equal(true);
  });

  it('rejects a jump chain that loops', () => {
    expect(problems('hosts:\n  a: {jump: b}\n  b: {jump: a}\n').map((p) => p.message)).to.deep.equal(["host 'a' jumps in a circle: a -> b -> a"]);
    // hosts leading into a loop do not repeat it
    expect(problems('hosts:\n  x: {jump: a}\n  a: {jump: b}\n  b: {jump: c}\n  c: {jump: b}\n').map((p) => p.message)).to.deep.equal(["host 'b' jumps in a circle: b -> c -> b"]);
  });
});
