import { expect } from 'chai';
import { ExpressionError, Unknown, Version, evaluate, isUnknown } from '../../src/expr/index.js';
import { ast, cond, run } from './helpers.js';

const scope = {
  result: { rc: 0, stdout: 'ok\n', stdout_lines: ['ok'], nested: { deep: [10, 20, 30] } },
  cs: { version: '4.20.1.0' },
  list: [1, 2, 3],
  empty: [],
  map: { a: 1, b: 'two' },
  name: 'router-1',
  n: 3,
  zero: 0,
  nothing: null,
};

function error(source: string, s: Record<string, unknown> = scope): { message: string; offset: number; length: number } {
  try {
    evaluate(ast(source), s);
  } catch (e) {
    if (e instanceof ExpressionError) return { message: e.message, offset: e.offset, length: e.length };
    throw e;
  }
  throw new Error(`expected ${source} to throw`);
}

describe('expr evaluate', () => {
  describe('arithmetic and strings', () => {
    const cases: Array<[string, unknown]> = [
      ['1 + 2 * 3', 7],
      ['(1 + 2) * 3', 9],
      ['7 / 2', 3.5],
      ['7 % 4', 3],
      ['10 - 2 - 3', 5],
      ['-n + 1', -2],
      ["'a' + 'b'", 'ab'],
      ['list + [4]', [1, 2, 3, 4]],
      ['1.5 * 2', 3],
    ];
    for (const [source, expected] of cases) it(`${source} = ${JSON.stringify(expected)}`, () => expect(run(source, scope)).to.deep.equal(expected));
  });

  describe('comparisons', () => {
    const cases: Array<[string, boolean]> = [
      ['n == 3', true],
      ['n != 3', false],
      ["n == '3'", false],
      ["'3' == n", false],
      ['[1, [2]] == [1, [2]]', true],
      ['[1, 2] == [2, 1]', false],
      ['nothing == null', true],
      ['n < 4 and n <= 3 and n > 2 and n >= 3', true],
      ["'abc' < 'abd'", true],
      ['2 in list', true],
      ['5 in list', false],
      ['5 not in list', true],
      ["'ok' in result.stdout", true],
      ["'a' in map", true],
      ["'z' not in map", true],
      ["result.stdout contains 'ok'", true],
      ['list contains 3', true],
      ["name matches '^router-\\d+$'", true],
      ["name matches 'ssvm'", false],
      ["result.stdout_lines == ['ok']", true],
    ];
    for (const [source, expected] of cases) it(`${source} is ${expected}`, () => expect(run(source, scope)).to.equal(expected));
  });

  describe('truthiness (evaluateCondition)', () => {
    const cases: Array<[string, boolean]> = [
      ['zero', false], ['n', true], ["''", false], ["'0'", true], ['empty', false], ['list', true],
      ['nothing', false], ['false', false], ['map', true], ["keys(map) == []", false], ['version("0")', true],
    ];
    for (const [source, expected] of cases) it(`${source} → ${expected}`, () => expect(cond(source, { ...scope, emptyMap: {} })).to.equal(expected));
    it('treats an empty map as false', () => expect(cond('m', { m: {} })).to.equal(false));
    it('and/or return booleans', () => {
      expect(run("n and 'x'", scope)).to.equal(true);
      expect(run("zero or ''", scope)).to.equal(false);
    });
    it('short-circuits: the right side is not evaluated when the left decides', () => {
      expect(run('false and missing.x', scope)).to.equal(false);
      expect(run('true or missing.x', scope)).to.equal(true);
    });
  });

  describe('functions', () => {
    const cases: Array<[string, unknown]> = [
      ['len(list)', 3], ["len('abc')", 3], ['len(map)', 2],
      ["lower('AbC')", 'abc'], ["upper('AbC')", 'ABC'], ['trim(result.stdout)', 'ok'],
      ["int('42')", 42], ["int(' -7 ')", -7], ['int(3.9)', 3], ['int(true)', 1],
      ['str(12)', '12'], ['str(true)', 'true'], ['str(null)', 'null'], ['str([1, "a"])', '[1,"a"]'],
      ["startswith(name, 'router')", true], ["endswith(name, '-2')", false],
      ['any([0, "", 2])', true], ['any([0, ""])', false], ['all([1, "x"])', true], ['all([1, 0])', false], ['all([])', true],
      ['keys(map)', ['a', 'b']],
      ['defined(result.stdout)', true], ['defined(result.nope)', false], ['defined(missing.deep.path)', false],
      ['defined(list[5])', false], ['defined(list[-1])', true], ['defined(nothing)', true], ['defined(nothing.x)', false],
      ["default(result.nope, 'fb')", 'fb'], ["default(missing, 'fb')", 'fb'], ["default(nothing, 'fb')", 'fb'],
      ["default(result.rc, 'fb')", 0], ["default('', 'fb')", 'fb'], ['default(list[9], 0)', 0],
    ];
    for (const [source, expected] of cases) it(`${source} = ${JSON.stringify(expected)}`, () => expect(run(source, scope)).to.deep.equal(expected));
    it('count() counts items whose field equals the value', () => {
      const vms = [{ state: 'Running' }, { state: 'Stopped' }, { state: 'Running' }, 'not a map'];
      expect(run("count(vms, 'state', 'Running')", { vms })).to.equal(2);
    });
    it('version() returns a comparable Version', () => {
      const v = run('version(cs.version)', scope);
      expect(v).to.be.instanceOf(Version);
      expect(String(v)).to.equal('4.20.1.0');
    });
    it('default() evaluates its fallback only when needed', () => {
      expect(run('default(n, missing.x)', scope)).to.equal(3);
    });
  });

  describe('versions', () => {
    const cases: Array<[string, boolean]> = [
      ["version(cs.version) >= version('4.17')", true],
      ["version(cs.version) >= '4.17'", true],
      ["'4.17' <= version(cs.version)", true],
      ["version('4.9') < version('4.17')", true],
      ["version('4.20.1.0') >= '4.17'", true],
      ["version('4.17') == '4.17.0.0'", true],
      ["version('4.17') != '4.17.0.1'", true],
      ["version('4.18.0.0-SNAPSHOT') < '4.18.0.0'", true],
      ["version('4.18.0.0-SNAPSHOT') > '4.17.9'", true],
      ["version('4.13') < '4.14'", true],
      ["version('v4.19.1') > '4.19'", true],
      ["version('1.0') == 'abc'", false],
    ];
    for (const [source, expected] of cases) it(`${source} is ${expected}`, () => expect(run(source, scope)).to.equal(expected));
  });

  describe('runtime errors with positions', () => {
    const cases: Array<[string, string, number, number]> = [
      ['reslt.rc == 0', "undefined variable 'reslt' — did you mean 'result'?", 0, 5],
      ['result.stdoutt', "'result' has no field 'stdoutt' — did you mean 'stdout'?", 7, 7],
      ['result.nested.dep[0]', "'result.nested' has no field 'dep' — did you mean 'deep'?", 14, 3],
      ['nothing.x', "'nothing' is null, so it has no field 'x'", 8, 1],
      ['list.length', "'list' is a list, so it has no field 'length': use len(list)", 5, 6],
      ['list[3]', "index 3 is out of range: 'list' has 3 items", 5, 1],
      ["list['a']", 'a position in a list must be an integer, not a string', 5, 3],
      ["map['zz']", "'map' has no field 'zz'", 4, 4],
      ['map[name]', "'map' has no field named by name", 4, 4],
      ['n[0]', "'n' is a number, so it cannot be indexed", 0, 4],
      ["n < '4'", "cannot compare a number with a string using '<': convert with int() or str()", 2, 1],
      ['list > 1', "cannot compare a list with a number using '>'", 5, 1],
      ["n + 'x'", "cannot add a number and a string: convert with str() or int()", 2, 1],
      ["n - 'x'", "'-' needs numbers, not a string", 4, 3],
      ['n / zero', 'division by zero', 4, 4],
      ["-'x'", "'-' needs a number, not a string", 0, 4],
      ["n in 'abc'", 'cannot look for a number in a string', 2, 2],
      ['1 in n', "cannot look inside a number: 'in' needs a list, a string or a map", 2, 2],
      ["n matches 'x'", "'matches' needs a string on the left, not a number", 0, 1],
      ["name matches p", 'invalid regular expression: missing closing )', 13, 1],
      ['len(n)', 'len() needs a string, a list or a map, not a number', 0, 6],
      ["int('4x')", 'int(): the string is not an integer', 0, 9],
      ["version('beta')", 'version(): the string is not a version such as 4.17.2', 0, 15],
      ['version(4.10)', 'version() needs a string: a YAML number such as 4.10 has already lost its trailing zero, so quote it', 0, 13],
      ["version('4.17') < 'x'", "cannot compare a version with a string that is not a version using '<'", 16, 1],
      ['keys(list)', 'keys() needs a map, not a list', 0, 10],
    ];
    for (const [source, message, offset, length] of cases) {
      it(`${source}: ${message}`, () => expect(error(source, { ...scope, p: '(' })).to.deep.equal({ message, offset, length }));
    }
    it('never echoes values in messages (they may be secrets)', () => {
      const secret = 's3cr3t(value';
      for (const source of ['int(x)', "x < 1", 'x - 1', 'version(x)', 'x.y', "'y' matches x"]) {
        expect(() => evaluate(ast(source), { x: secret }), source).to.throw(ExpressionError)
          .that.satisfies((e: Error) => !e.message.includes(secret));
      }
    });
    it('does not reach inherited properties', () => {
      expect(error('map.constructor').message).to.equal("'map' has no field 'constructor'");
      expect(error('toString').message).to.match(/^undefined variable 'toString'/);
    });
  });

  describe('Unknown propagation', () => {
    const u = new Unknown("result of 'open port' (dry run)");
    const s = { ...scope, u, r: { rc: u }, vms: [{ a: 2 }, { a: u }] };
    const unknownCases = [
      'u', 'u.rc', 'u[0]', 'list[u]', 'r.rc == 0', 'r.rc != 0', 'u < 3', 'u + 1', '-u', 'not u', 'u in list',
      'list contains u', "u matches 'x'", 'len(u)', 'str(u)', 'str([1, u])', 'version(u)', 'defined(u.x)',
      "default(u, 'x')", "default(u.x, 'x')", 'u and true', 'true and u', 'u or false', 'false or u',
      'any([0, u])', 'all([1, u])', '[1, u] == [1, 2]', '2 in [1, u]', "count(vms, 'a', 1)",
      'u and missing.x',
    ];
    for (const source of unknownCases) {
      it(`${source} → Unknown`, () => {
        const value = run(source, s);
        expect(isUnknown(value), `${source} gave ${String(value)}`).to.equal(true);
        expect((value as Unknown).reason).to.equal(u.reason);
      });
    }
    const definite: Array<[string, unknown]> = [
      ['false and u', false], ['u and false', false], ['true or u', true], ['u or true', true],
      ['any([1, u])', true], ['all([0, u])', false], ['[1, u] == [2, u]', false], ['1 in [1, u]', true],
      ['len([u, u])', 2], ['defined(u)', true], ['defined(r.rc)', true],
    ];
    for (const [source, expected] of definite) it(`${source} → ${String(expected)}`, () => expect(run(source, s)).to.deep.equal(expected));

    it('evaluateCondition returns the Unknown, not false', () => {
      const value = cond('r.rc == 0 and n == 3', s);
      expect(value).to.equal(u);
    });
    it('still reports undefined variables next to an Unknown', () => {
      expect(() => run('u == missing', s)).to.throw(ExpressionError, "undefined variable 'missing'");
    });
  });
});
