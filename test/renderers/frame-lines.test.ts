// Code-frame lines: split like positions count lines, control characters replaced, and every value
// under a secret-looking key or a secret source masked whether or not it was registered.

import { expect } from 'chai';
import { frameLines } from '../../src/renderers/frame-lines.js';

describe('renderers: code-frame lines', () => {
  it('masks values under secret-looking keys and secret sources, in block and flow style', () => {
    const text = [
      'cloudstack:',
      '  api_key: { secret: abc-123 }',
      '  secretkey: { secret: "def-456" }',
      '  url: http://x/client/api',
      'vars:',
      '  db_password: |',
      '    hunter2',
      '  name: cloud',
      '  list: [{ secret: q-789 }]',
      '  token:',
      '    secret: nested-1',
      'user: root',
    ].join('\n');
    const lines = frameLines(text);
    expect(lines.join('\n')).to.not.match(/abc-123|def-456|hunter2|q-789|nested-1/);
    expect(lines).to.include('  url: http://x/client/api');
    expect(lines).to.include('  name: cloud');
    expect(lines).to.include('user: root');
    expect(lines[1]).to.equal('  api_key: ***');
  });

  it('splits at LF, CRLF and a lone CR, and never prints control characters', () => {
    expect(frameLines('a: 1\rb: 2\r\nc: \u0000x\n')).to.deep.equal(['a: 1', 'b: 2', 'c: ?x', '']);
  });
});
