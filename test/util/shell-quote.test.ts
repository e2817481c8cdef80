// The one shell-quoting rule: every value comes back from /bin/sh exactly as it went in, in both
// styles; 'minimal' leaves safe words bare, 'always' quotes everything; a NUL byte is refused.

import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { shellQuote, ShellQuoteError } from '../../src/util/shell-quote.js';

describe('util: shellQuote', () => {
  const values = [
    '', 'plain', 'cloudstack-management', '/run/stackplay-deadman/u1.sh', 'KEY=value', "it's", "''", '"double"',
    'a b\tc', 'line1\nline2\n', '$HOME `id` $(id)', '; rm -rf / #', '\\', '*?[a]', '~root', '-n', 'ünïcødé ✓', '!!', '{a,b}',
  ];
  for (const style of ['minimal', 'always'] as const) {
    for (const value of values) {
      it(`${style}: ${JSON.stringify(value)} reaches the command unchanged`, () => {
        const out = execFileSync('/bin/sh', ['-c', `printf %s ${shellQuote(value, style)}`], { encoding: 'utf8' });
        expect(out).to.equal(value);
      });
    }
  }

  it('minimal leaves words of safe characters bare and quotes the rest', () => {
    expect(shellQuote('cloudstack-management')).to.equal('cloudstack-management');
    expect(shellQuote('/run/x.sh')).to.equal('/run/x.sh');
    expect(shellQuote('')).to.equal("''");
    expect(shellQuote('a b')).to.equal("'a b'");
    expect(shellQuote('~root')).to.equal("'~root'");
  });

  it('always quotes every value (the quote helper shows the same form for any input)', () => {
    expect(shellQuote('3', 'always')).to.equal("'3'");
    expect(shellQuote("it's", 'always')).to.equal("'it'\\''s'");
  });

  it('refuses a NUL byte in either style instead of letting the shell cut the value short', () => {
    expect(() => shellQuote('a\0b')).to.throw(ShellQuoteError, 'NUL byte');
    expect(() => shellQuote('a\0b', 'always')).to.throw(ShellQuoteError, 'NUL byte');
  });
});
