// The argument kinds on their own: what each accepts and converts, what it refuses and how it says so,
// and how templates (load time) and a dry run's unknowns (run time) leave a value pending.

import { expect } from 'chai';
import { Unknown } from '../../../src/expr/unknown.js';
import { arg } from '../../../src/steps/schema/arg.js';
import { INVALID, Pending, readValue, type Kind, type Path } from '../../../src/steps/schema/kinds.js';
import type { ArgsOf, Presence, Schema } from '../../../src/steps/schema/schema.js';

function read<T>(schema: Schema<T, Presence>, value: unknown, o: { templates?: boolean; hosts?: string[] } = {}): { value: unknown; issues: string[] } {
  const issues: string[] = [];
  const kind: Kind<unknown> = schema.kind;
  const cx = {
    templates: o.templates ?? false,
    hosts: o.hosts ? new Set(o.hosts) : undefined,
    issue: (path: Path, code: string, message: string) => void issues.push(`${path.join('.')} ${code}: ${message}`),
  };
  return { value: readValue(kind, value, cx, ['a']), issues };
}

describe('step contract: argument kinds', () => {
  it('integers: written or rendered ("8"), within their range', () => {
    expect(read(arg.int('', { min: 1 }), '8').value).to.equal(8);
    expect(read(arg.int('', { min: 1 }), 0).issues).to.deep.equal(['a bad-value: must be an integer of at least 1, not 0']);
    expect(read(arg.int(), 1.5).issues).to.deep.equal(['a wrong-type: must be an integer, not 1.5']);
  });

  it('booleans: true/false, and the text a boolean renders to', () => {
    expect(read(arg.bool(), 'True').value).to.equal(true);
    expect(read(arg.bool(), 'yes').issues).to.deep.equal(["a wrong-type: must be true or false, not 'yes'"]);
  });

  it('strings: integers and booleans are their text; a float YAML changed is refused with how to keep it', () => {
    expect(read(arg.string(), 42).value).to.equal('42');
    expect(read(arg.string(), 4.2).issues).to.deep.equal(['a wrong-type: must be a string, not the number 4.2 (quote it to keep it as written)']);
  });

  it('enums: a misspelling gets a suggestion; aliases and case folding give the canonical value', () => {
    expect(read(arg.oneOf(['started', 'stopped']), 'startd').issues).to.deep.equal(["a bad-value: must be one of started, stopped, not 'startd' — did you mean 'started'?"]);
    expect(read(arg.oneOf(['auto', 'true', 'false']), true).value).to.equal('true');
    expect(read(arg.oneOf(['consoleproxy'], '', { aliases: { cpvm: 'consoleproxy' }, caseless: true }), 'CPVM').value).to.equal('consoleproxy');
  });

  it('URLs: only the allowed schemes', () => {
    expect(read(arg.url(), 'https://ms1:8443/client/api').value).to.equal('https://ms1:8443/client/api');
    expect(read(arg.url(), 'file:///etc/passwd').issues).to.deep.equal(['a bad-value: must be an http:// or https:// URL, not a file:// one']);
    expect(read(arg.url(), 'ms1:8080').issues[0]).to.match(/^a bad-value: must be an http:\/\/ or https:\/\/ URL/);
  });

  it('host names: checked against the inventory when there is one', () => {
    expect(read(arg.host('ssh'), 'jmp', { hosts: ['jump', 'ms1'] }).issues).to.deep.equal(["a unknown-host: names 'jmp', which is not in the inventory — did you mean 'jump'?"]);
    expect(read(arg.host('ssh'), 'anything').value).to.equal('anything');
  });

  it('mappings: keys can be ruled (environment variable names); objects name their fields, own ones only', () => {
    const env = arg.map(arg.string(), '', { keys: { pattern: /^[A-Z_]+$/, what: 'an environment variable name' } });
    expect(read(env, { PATH: '/bin', 'bad-name': 'x' }).issues).to.deep.equal(['a.bad-name bad-value: is not an environment variable name']);
    const rule = arg.object({ pattern: arg.pattern().required(), count: arg.string() }, '', { shorthand: 'pattern' });
    expect((read(rule, '^ok').value as { pattern: RegExp }).pattern.source).to.equal('^ok');
    expect(read(rule, { count: 'n', toString: 'x' }).issues).to.deep.equal([
      'a.toString unknown-argument: is not a field (pattern, count)',
      'a missing-argument: needs the field \'pattern\'',
    ]);
  });

  it('load time: a template anywhere leaves the value pending, while static items are still checked', () => {
    const list = arg.list(arg.int());
    expect(read(list, '{{codes}}', { templates: true }).value).to.equal(Pending.templated);
    const mixed = read(list, ['{{a}}', 'x'], { templates: true });
    expect(mixed.value).to.equal(INVALID);
    expect(mixed.issues).to.deep.equal(["a.1 wrong-type: must be an integer, not 'x'"]);
    expect(read(arg.any(), { deep: ['{{x}}'] }, { templates: true }).value).to.equal(Pending.templated);
    // raw arguments: the braces are text (templates: false)
    expect(read(arg.string(), '{{x}}').value).to.equal('{{x}}');
  });

  it("run time in a dry run: an Unknown is pending for typed kinds, a value for 'any', text inside a string", () => {
    const u = new Unknown('result of a skipped step');
    expect((read(arg.duration(), u).value as Pending).unknown).to.equal(u);
    expect((read(arg.port(), `80${String(u)}`).value as Pending).unknown?.reason).to.equal('result of a skipped step');
    expect(read(arg.any(), u).value).to.equal(u);
    expect(read(arg.string(), `echo ${String(u)}`).value).to.equal(`echo ${String(u)}`);
  });

  it('values read are frozen: a static value is shared by every host and run', () => {
    expect(Object.isFrozen(read(arg.list(arg.int()), [1, 2]).value)).to.equal(true);
    expect(Object.isFrozen(read(arg.map(arg.string()), { A: 'x' }).value)).to.equal(true);
  });

  it('ArgsOf: required and defaulted arguments are always there, optional ones may be absent', () => {
    const shape = { a: arg.duration().required(), b: arg.port().default(22), c: arg.list(arg.string()) };
    const args: ArgsOf<typeof shape> = { a: 1000, b: 22 };
    const sum: number = args.a + args.b; // no undefined to handle: the types say so
    const c: readonly string[] | undefined = args.c;
    expect([sum, c]).to.deep.equal([1022, undefined]);
  });
});
