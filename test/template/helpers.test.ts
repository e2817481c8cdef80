import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { TemplateError, render } from '../../src/template/index.js';
import { shellQuote } from '../../src/util/shell-quote.js';

const scope = {
  n: 3,
  s: '  Hello World  ',
  list: ['a', 'b', 'c'],
  nums: [3, 1, 2],
  map: { k: 'v' },
  empty: '',
  nothing: null,
  cs: { version: '4.20.1.0' },
  old: '4.9.3',
  secs: 3725,
};

describe('template helpers', () => {
  const cases: Array<[string, unknown]> = [
    ['{{default missing "fb"}}', 'fb'],
    ['{{default map.nope "fb"}}', 'fb'],
    ['{{default missing.deep.path "fb"}}', 'fb'],
    ['{{default nothing "fb"}}', 'fb'],
    ['{{default empty "fb"}}', 'fb'],
    ['{{default n "fb"}}', 3],
    ['{{default (lookup map "k") "fb"}}', 'v'],
    ['{{defined map.k}}', true],
    ['{{defined map.nope}}', false],
    ['{{defined missing}}', false],
    ['{{defined nothing}}', true],
    ['{{eq n 3}}', true], ['{{eq n "3"}}', false], ['{{eq list (split "a,b,c" ",")}}', true],
    ['{{ne n 4}}', true], ['{{lt n 4}}', true], ['{{le n 3}}', true], ['{{gt n 3}}', false], ['{{ge n 3}}', true],
    ['{{lt "a" "b"}}', true],
    ['{{and true n "x"}}', true], ['{{and true 0}}', false], ['{{or 0 "" n}}', true], ['{{or 0 nothing}}', false],
    ['{{not 0}}', true], ['{{not list}}', false],
    ['{{join list ", "}}', 'a, b, c'], ['{{join nums "-"}}', '3-1-2'],
    ['{{json map}}', '{"k":"v"}'], ['{{json list 1}}', '[\n "a",\n "b",\n "c"\n]'], ['{{json "x"}}', '"x"'],
    ['{{version_compare cs.version ">=" "4.17"}}', true],
    ['{{version_compare old ">=" "4.17"}}', false],
    ['{{version_compare "4.17.0.0" "==" "4.17"}}', true],
    ['{{version_compare "4.18-SNAPSHOT" "lt" "4.18"}}', true],
    ['{{vgte cs.version "4.17"}}', true], ['{{vgt "4.17" "4.17"}}', false],
    ['{{vlt old "4.17"}}', true], ['{{vlte "4.17" "4.17.0"}}', true],
    ['{{quote "it\'s"}}', "'it'\\''s'"], ['{{quote n}}', "'3'"], ['{{quote empty}}', "''"],
    ['{{upper "abc"}}', 'ABC'], ['{{lower "ABC"}}', 'abc'], ['{{trim s}}', 'Hello World'],
    ['{{len list}}', 3], ['{{len "abcd"}}', 4], ['{{len map}}', 1],
    ['{{replace "a-b-c" "-" "+"}}', 'a+b+c'],
    ['{{split "x y" " "}}', ['x', 'y']],
    ['{{first list}}', 'a'], ['{{last list}}', 'c'], ['{{first "xyz"}}', 'x'],
    ['{{lookup list 1}}', 'b'], ['{{lookup map "k"}}', 'v'],
    ['{{int "42"}}', 42], ['{{int 4.7}}', 4],
    ['{{add n 2}}', 5], ['{{sub n 5}}', -2], ['{{add "40" 2}}', 42],
    ['{{duration secs}}', '1h 2m 5s'], ['{{duration 59.94}}', '59.9s'], ['{{duration 90061}}', '1d 1h 1m 1s'],
    ['{{#if (and (vgte cs.version "4.17") (eq n 3))}}live-patch{{else}}restart{{/if}}', 'live-patch'],
  ];
  for (const [source, expected] of cases) {
    it(`${source} → ${JSON.stringify(expected)}`, () => expect(render(source, scope)).to.deep.equal(expected));
  }

  describe('helper errors point at the call', () => {
    const cases: Array<[string, string]> = [
      ['x {{add n 1.5}}', 'add needs integers, not a fractional number'],
      ['{{join n ","}}', 'join needs a list, not a number'],
      ['{{quote list}}', 'quote needs a string, not a list'],
      ['{{vgte "abc" "4.17"}}', 'version(): the string is not a version such as 4.17.2'],
      ['{{version_compare "4.17" "~" "4.17"}}', 'version_compare: the operator must be one of == != < <= > >= (or eq ne lt le gt ge)'],
      ['{{lt n "4"}}', "cannot compare a number with a string using '<': convert with int() or str()"],
      ['{{replace s "" "x"}}', 'replace: the string to search for is empty'],
      ['{{first missing_list}}', "undefined variable 'missing_list'"],
      ['{{duration "soon"}}', 'duration needs a non-negative number of seconds, not a string'],
      ['{{json n 20}}', 'json: the indent must be an integer from 0 to 10'],
      ['{{lookup map "zz"}}', "lookup: the map has no field 'zz'"],
      ['{{lookup list 7}}', 'lookup: position 7 is out of range for a list of 3 items'],
    ];
    for (const [source, message] of cases) {
      it(`${source}: ${message}`, () => {
        expect(() => render(source, scope)).to.throw(TemplateError).with.property('message', message);
      });
    }
    it('an empty list has no first item', () => {
      expect(() => render('{{first (split "" "")}}', scope)).to.throw(TemplateError, 'first: the list is empty');
    });
    it('positions cover the helper call', () => {
      const source = 'x {{add n 1.5}}';
      try {
        render(source, scope);
        expect.fail('should throw');
      } catch (e) {
        expect(e).to.be.instanceOf(TemplateError);
        const { offset, length } = e as TemplateError;
        expect(source.slice(offset, offset + length)).to.equal('{{add n 1.5}}');
      }
    });
  });

  describe('quote is safe for the shell', () => {
    const nasty = [
      '', 'plain', "it's", "''", "'\\''", '"double"', 'a b\tc', 'line1\nline2\n', '$HOME `id` $(id)', '; rm -rf / #',
      '\\', '\\\\n', '*?[a]', '~root', '-n', '--help', 'ünïcødé ✓', "'; echo pwned; '", '!!', '{a,b}', '\r\n', '%s%d',
    ];
    for (const text of nasty) {
      it(`round-trips ${JSON.stringify(text)} through /bin/sh`, () => {
        const quoted = render('{{quote t}}', { t: text });
        expect(quoted).to.equal(shellQuote(text, 'always'));
        const echoed = execFileSync('/bin/sh', ['-c', `printf %s ${String(quoted)}`], { encoding: 'utf8' });
        expect(echoed).to.equal(text);
      });
    }
    it('refuses NUL bytes, which no argument can hold', () => {
      expect(() => render('{{quote t}}', { t: 'a\0b' })).to.throw(TemplateError, 'NUL byte');
    });
    it('quotes each word separately when joined', () => {
      const command = render('printf "%s|" {{quote a}} {{quote b}}', { a: "x y", b: "it's" });
      expect(execFileSync('/bin/sh', ['-c', String(command)], { encoding: 'utf8' })).to.equal("x y|it's|");
    });
  });
});
