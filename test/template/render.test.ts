import { expect } from 'chai';
import { Unknown, isUnknown } from '../../src/expr/index.js';
import { TemplateError, isTemplate, render, renderDeep, renderForDisplay } from '../../src/template/index.js';

const scope = {
  n: 3,
  flag: false,
  nothing: null,
  name: 'router-1',
  list: ['a', 'b'],
  map: { k: 'v', nested: { deep: 1 } },
  hosts: [{ name: 'h1', ip: '10.0.0.1' }, { name: 'h2', ip: '10.0.0.2' }],
  cs: { version: '4.20.1.0' },
};

function failure(source: string, s: Record<string, unknown> = scope): { message: string; offset: number; length: number } {
  try {
    render(source, s);
  } catch (e) {
    if (e instanceof TemplateError) return { message: e.message, offset: e.offset, length: e.length };
    throw e;
  }
  throw new Error(`expected ${source} to fail`);
}

describe('template render', () => {
  describe('fast path', () => {
    it('returns strings without {{ unchanged', () => {
      const text = 'plain } { text';
      expect(isTemplate(text)).to.equal(false);
      expect(render(text, {})).to.equal(text);
      expect(renderForDisplay(text, {})).to.equal(text);
    });
    it('treats a string with {{ as a template', () => expect(isTemplate('a {{b}}')).to.equal(true));
  });

  describe('type-preserving single mustache', () => {
    const cases: Array<[string, unknown]> = [
      ['{{n}}', 3],
      [' {{list}} ', ['a', 'b']],
      ['{{map}}', { k: 'v', nested: { deep: 1 } }],
      ['{{flag}}', false],
      ['{{nothing}}', null],
      ['{{ map.nested.deep }}', 1],
      ['\n  {{len list}}\n', 2],
      ['{{eq n 3}}', true],
      ['{{{n}}}', 3],
      ['{{~n~}}', 3],
      ['{{true}}', true],
      ['{{42}}', 42],
      ['{{split "a,b" ","}}', ['a', 'b']],
      ['{{this.n}}', 3],
    ];
    for (const [source, expected] of cases) {
      it(`${JSON.stringify(source)} → ${JSON.stringify(expected)}`, () => expect(render(source, scope)).to.deep.equal(expected));
    }
  });

  describe('string results', () => {
    const cases: Array<[string, string]> = [
      ['x{{n}}', 'x3'],
      ['{{n}}{{n}}', '33'],
      ['{{n}} and {{name}}', '3 and router-1'],
      ['{{! a comment }}{{n}}', '3'],
      ['<{{name}}> & "{{name}}"', '<router-1> & "router-1"'],
      ['list={{list}}', 'list=["a","b"]'],
      ['[{{nothing}}]', '[]'],
      ['{{#if flag}}yes{{else}}no{{/if}}', 'no'],
      ['{{#unless flag}}yes{{/unless}}', 'yes'],
      ['{{#if list}}non-empty{{/if}}', 'non-empty'],
      ['{{#each list}}{{@index}}:{{this}}{{#unless @last}},{{/unless}}{{/each}}', '0:a,1:b'],
      ['{{#each hosts as |h|}}{{h.name}}={{h.ip}} {{/each}}', 'h1=10.0.0.1 h2=10.0.0.2 '],
      ['{{#each hosts}}{{name}}@{{../name}} {{/each}}', 'h1@router-1 h2@router-1 '],
      ['{{#each hosts}}{{@root.n}}{{/each}}', '33'],
      ['{{#each map}}{{@key}};{{/each}}', 'k;nested;'],
      ['{{#each empty}}x{{else}}none{{/each}}', 'none'],
      ['{{#each nothing}}x{{else}}none{{/each}}', 'none'],
      ['{{#with cs}}v{{version}}{{/with}}', 'v4.20.1.0'],
      ['{{#with cs as |c|}}{{c.version}}/{{../n}}{{/with}}', '4.20.1.0/3'],
      ['{{#if (eq n 1)}}one{{else if (eq n 3)}}three{{else}}other{{/if}}', 'three'],
      ['\\{{n}} {{n}}', '{{n}} 3'],
      ['{{#each list}}\n- {{this}}\n{{/each}}\n', '- a\n- b\n'],
      ['a {{~n~}} b', 'a3b'],
    ];
    for (const [source, expected] of cases) {
      it(`${JSON.stringify(source)} → ${JSON.stringify(expected)}`, () => {
        expect(render(source, { ...scope, empty: [] })).to.equal(expected);
      });
    }
  });

  describe('strict undefined errors with offsets', () => {
    const cases: Array<[string, string, number, number]> = [
      ['{{nope}}', "undefined variable 'nope'", 2, 4],
      ['abc {{nme}}', "undefined variable 'nme' — did you mean 'name'?", 6, 3],
      ['line1\n  {{ map.kk }}', "'map' has no field 'kk'", 11, 6],
      ['{{map.nested.deeep}}', "'map.nested' has no field 'deeep' — did you mean 'deep'?", 2, 16],
      ['{{a.b.c}}', "undefined variable 'a'", 2, 5],
      ['{{name.x}}', "'name' is a string, so it has no field 'x'", 2, 6],
      ['{{nothing.x}}', "'nothing' is null, so it has no field 'x'", 2, 9],
      ['{{list.[7]}}', "index 7 is out of range: 'list' has 2 items", 2, 8],
      ['{{eq missing 1}}', "undefined variable 'missing'", 5, 7],
      ['{{#if missing}}x{{/if}}', "undefined variable 'missing'", 6, 7],
      ['{{#each hosts}}{{nam}}{{/each}}', "the current item has no field 'nam' — did you mean 'name'?", 17, 3],
      ['{{#each hosts}}{{n}}{{/each}}', "the current item has no field 'n' (inside {{#each}} and {{#with}} plain names refer to the item: use ../name or @root.name for outer variables)", 17, 1],
      ['{{#each hosts as |h|}}{{h.nam}}{{/each}}', "'h' has no field 'nam' — did you mean 'name'?", 24, 5],
      ['{{#each list}}{{this.x}}{{/each}}', "'this' is a string, so it has no field 'x'", 16, 6],
      ['{{@root.nope}}', "undefined variable 'nope'", 2, 10],
      ['{{@index}}', "'@index' is only defined inside {{#each}}", 2, 6],
      ['{{upper (lookup map "zz")}}', "lookup: the map has no field 'zz'", 8, 17],
      ['x {{add n name}}', 'add: the string is not an integer', 2, 14],
      ['{{#each n}}x{{/each}}', 'each needs a list or a map, not a number', 0, 21],
    ];
    for (const [source, message, offset, length] of cases) {
      it(`${JSON.stringify(source)}: ${message}`, () => expect(failure(source)).to.deep.equal({ message, offset, length }));
    }
    it('throws the static problem when rendering an invalid template', () => {
      expect(failure('{{lenght list}}')).to.deep.equal({ message: "unknown helper 'lenght' — did you mean 'len'?", offset: 2, length: 6 });
    });
    it('does not reach inherited properties', () => {
      expect(failure('{{map.constructor}}').message).to.equal("'map' has no field 'constructor'");
      expect(failure('{{toString}}').message).to.equal("undefined variable 'toString'");
    });
    it('never echoes values in messages', () => {
      const secret = 'hunter2-secret';
      for (const source of ['{{s.x}}', '{{add s 1}}', '{{#each s}}{{/each}}', '{{lt s 1}}', '{{s.[9]}}']) {
        expect(() => render(source, { s: secret }), source).to.throw(TemplateError)
          .that.satisfies((e: Error) => !e.message.includes(secret));
      }
    });
  });

  describe('Unknown values (dry run)', () => {
    const u = new Unknown("result of 'open port' (dry run)");
    const s = { ...scope, u, r: { rc: u }, items: ['a', u] };
    it('a single mustache returns the Unknown itself', () => {
      expect(render('{{u}}', s)).to.equal(u);
      expect(render('{{r.rc}}', s)).to.equal(u);
      expect(render('{{r.rc.deeper.still}}', s)).to.equal(u);
    });
    it('a string result that depends on an Unknown is an Unknown with its reason', () => {
      const value = render('port {{r.rc}} open', s);
      expect(isUnknown(value)).to.equal(true);
      expect((value as Unknown).reason).to.equal(u.reason);
    });
    it('renderForDisplay shows <unknown> in place', () => {
      expect(renderForDisplay('port {{r.rc}} open', s)).to.equal('port <unknown> open');
      expect(renderForDisplay('{{u}}', s)).to.equal('<unknown>');
      expect(renderForDisplay('{{#if u}}a{{else}}b{{/if}}!', s)).to.equal('<unknown>!');
    });
    const unknownCases = [
      '{{#if u}}a{{else}}b{{/if}}', '{{#unless r.rc}}a{{/unless}}', '{{#each u}}x{{/each}}', '{{#with u}}x{{/with}}',
      '{{#if (eq r.rc 0)}}ok{{/if}}', '{{upper u}}', '{{quote u}}', '{{join items ","}}', '{{json items}}',
      '{{add u 1}}', '{{not u}}', '{{default u "x"}}', '{{and true u}}', '{{version_compare u ">=" "4.17"}}',
      '{{#each items}}{{this}}{{/each}}', '{{defined u.x}}', '{{upper (join items ",")}}', '{{len u}}',
    ];
    for (const source of unknownCases) {
      it(`${source} → Unknown`, () => {
        const value = render(source, s);
        expect(isUnknown(value), `${source} gave ${String(value)}`).to.equal(true);
        expect((value as Unknown).reason).to.equal(u.reason);
      });
    }
    const definite: Array<[string, unknown]> = [
      ['{{and false u}}', false], ['{{or u true}}', true], ['{{len items}}', 2], ['{{defined u}}', true],
      ['{{first items}}', 'a'], ['{{eq items (split "b,c" ",")}}', false],
    ];
    for (const [source, expected] of definite) it(`${source} → ${String(expected)}`, () => expect(render(source, s)).to.deep.equal(expected));
    it('combines the reasons of several Unknowns', () => {
      const value = render('{{u}} {{v}}', { u, v: new Unknown('other') });
      expect((value as Unknown).reason).to.equal(`${u.reason}; other`);
    });
  });

  describe('renderDeep', () => {
    it('renders strings in nested lists and maps, keeps keys and other values', () => {
      const input = { '{{n}}': 'key kept', a: ['{{n}}', 'x{{n}}', 7, null, { b: '{{list}}', c: true }], d: 'plain' };
      expect(renderDeep(input, scope)).to.deep.equal({
        '{{n}}': 'key kept', a: [3, 'x3', 7, null, { b: ['a', 'b'], c: true }], d: 'plain',
      });
    });
    it('does not modify its input', () => {
      const input = { a: ['{{n}}'] };
      renderDeep(input, scope);
      expect(input).to.deep.equal({ a: ['{{n}}'] });
    });
  });

  it('caches compiled templates: rendering again gives the same result with a new scope', () => {
    expect(render('v={{n}}', { n: 1 })).to.equal('v=1');
    expect(render('v={{n}}', { n: 2 })).to.equal('v=2');
    expect(() => render('v={{n}}', {})).to.throw(TemplateError, "undefined variable 'n'");
  });
});

describe('template error offsets with any line ending', () => {
  for (const eol of ['\n', '\r\n', '\r']) {
    it(`points at the path after ${JSON.stringify(eol)} line ends`, () => {
      const source = `a${eol}b${eol}  {{x.y}}`;
      try {
        render(source, { x: {} });
        expect.fail('should throw');
      } catch (e) {
        expect(e).to.be.instanceOf(TemplateError);
        const { offset, length } = e as TemplateError;
        expect(source.slice(offset, offset + length)).to.equal('x.y');
      }
    });
  }
});
