import { expect } from 'chai';
import { optionalRoots, referencedRoots, rootReferences } from '../../src/expr/index.js';
import { ast } from './helpers.js';

describe('expr referencedRoots', () => {
  it('lists top-level variables once, in first-use order', () => {
    expect(referencedRoots(ast("result.rc == 0 and cs.version >= '4' or result.x in hosts[i]"))).to.deep.equal(['result', 'cs', 'hosts', 'i']);
  });

  it('ignores function names, literals and field names', () => {
    expect(referencedRoots(ast("len(a.b.c) > 1 and 'x' == lower(d['e'])"))).to.deep.equal(['a', 'd']);
  });

  it('separates roots that only appear in defined()/default() paths', () => {
    const node = ast("defined(maybe.x) and default(opt, fallback) == 1 and default(req + 1, 0) and defined(list[idx])");
    expect(referencedRoots(node)).to.deep.equal(['fallback', 'req', 'idx']);
    expect(optionalRoots(node)).to.deep.equal(['maybe', 'opt', 'list']);
  });

  it('a root used both ways is required', () => {
    const node = ast('defined(r.x) and r.y');
    expect(referencedRoots(node)).to.deep.equal(['r']);
    expect(optionalRoots(node)).to.deep.equal([]);
  });

  it('gives positions for every reference', () => {
    expect(rootReferences(ast('a and defined(b)'))).to.deep.equal([
      { name: 'a', offset: 0, length: 1, optional: false },
      { name: 'b', offset: 14, length: 1, optional: true },
    ]);
  });
});
