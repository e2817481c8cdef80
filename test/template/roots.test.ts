import { expect } from 'chai';
import { templateRootReferences, templateRoots } from '../../src/template/index.js';

describe('template templateRoots', () => {
  const cases: Array<[string, string[]]> = [
    ['no template', []],
    ['{{a}} {{b.c}} {{a.d}}', ['a', 'b']],
    ['{{eq x (upper y) }} {{#if z}}{{/if}}', ['x', 'y', 'z']],
    ['{{#each hosts as |h i|}}{{h.name}} {{i}} {{@index}} {{@key}}{{/each}}', ['hosts']],
    ['{{#each hosts}}{{name}} {{this.ip}} {{../port}} {{@root.user}}{{/each}}', ['hosts', 'port', 'user']],
    ['{{#each a}}{{#each b}}{{../../c}} {{../d}}{{/each}}{{/each}}', ['a', 'c']],
    ['{{#with cs}}{{version}}{{/with}}{{version2}}', ['cs', 'version2']],
    ['{{#with cs as |c|}}{{c.v}} {{../w}}{{/with}}', ['cs', 'w']],
    ['{{#if a}}{{b}}{{else}}{{c}}{{/if}}', ['a', 'b', 'c']],
    ['{{#each xs}}x{{else}}{{empty_msg}}{{/each}}', ['xs', 'empty_msg']],
    ['{{#each xs as |x|}}{{/each}}{{x}}', ['xs', 'x']],
    ['{{this.a}} {{./b}} {{this}}', ['a', 'b']],
    ['{{default opt "x"}} {{defined maybe.y}} {{default (upper req) "x"}}', ['req']],
    ['{{default a "x"}} {{a}}', ['a']],
    ['{{#if x}}{{else if y}}{{/if}}', ['x', 'y']],
    ['{{lenght q}}', ['q']],
    ['{{broken', []],
  ];
  for (const [source, expected] of cases) {
    it(`${JSON.stringify(source)} → ${JSON.stringify(expected)}`, () => expect(templateRoots(source)).to.deep.equal(expected));
  }

  it('gives offsets and marks optional references', () => {
    expect(templateRootReferences('ab {{x.y}}\n{{default z 1}}')).to.deep.equal([
      { name: 'x', offset: 5, length: 3, optional: false },
      { name: 'z', offset: 21, length: 1, optional: true },
    ]);
  });
});
