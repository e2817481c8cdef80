import { expect } from 'chai';
import {
  UNKNOWN_MARK, Unknown, combineUnknowns, findUnknownDeep, hasUnknownMark, isUnknown, replaceUnknownMarks,
  unknownsInString,
} from '../../src/expr/index.js';

describe('expr Unknown', () => {
  const u = new Unknown("result of 'open port' (dry run)");

  it('is recognised by isUnknown', () => {
    expect(isUnknown(u)).to.equal(true);
    expect(isUnknown({ reason: 'x' })).to.equal(false);
    expect(isUnknown(null)).to.equal(false);
  });

  it('stringifies to a marker that carries its reason', () => {
    const text = `port=${u} and ${new Unknown('other')}`;
    expect(text.includes(UNKNOWN_MARK)).to.equal(true);
    expect(hasUnknownMark(text)).to.equal(true);
    expect(unknownsInString(text).map((x) => x.reason)).to.deep.equal([u.reason, 'other']);
    expect(replaceUnknownMarks(text)).to.equal('port=<unknown> and <unknown>');
    expect(hasUnknownMark('plain')).to.equal(false);
  });

  it('survives JSON and upper-casing', () => {
    const json = JSON.stringify({ a: [u] });
    expect(unknownsInString(json).map((x) => x.reason)).to.deep.equal([u.reason]);
    expect(unknownsInString(String(u).toUpperCase()).map((x) => x.reason)).to.deep.equal([u.reason]);
  });

  it('keeps non-ASCII reasons intact', () => {
    const odd = new Unknown('résultat "x" \\ ✓');
    expect(unknownsInString(`a${odd}b`)[0]?.reason).to.equal(odd.reason);
  });

  it('combines reasons without duplicates', () => {
    expect(combineUnknowns([u, new Unknown('b'), u]).reason).to.equal(`${u.reason}; b`);
    expect(combineUnknowns([u])).to.equal(u);
  });

  it('finds Unknowns nested in values', () => {
    expect(findUnknownDeep({ a: [1, { b: u }] })).to.equal(u);
    expect(findUnknownDeep({ a: [1, 'x'] })).to.equal(undefined);
    expect(findUnknownDeep(`x${u}`)?.reason).to.equal(u.reason);
  });
});
