import { expect } from 'chai';
import { SecretRegistry } from '../../src/secrets/masker.js';

describe('secret masking', () => {
  it('masks a secret and its URL- and JSON-encoded forms, leaving the rest readable', () => {
    const r = new SecretRegistry();
    r.add('p@ss word/"x"');
    expect(r.mask('pw=p@ss word/"x" url=p%40ss%20word%2F%22x%22 form=p%40ss+word%2F%22x%22 json="p@ss word/\\"x\\""')).to.equal(
      'pw=*** url=*** form=*** json="***"',
    );
  });

  it('ignores values too short to mask meaningfully', () => {
    const r = new SecretRegistry();
    r.add('ab');
    expect(r.mask('ab cab')).to.equal('ab cab');
  });

  it('keeps only recent ephemeral secrets, so thousands of signatures do not slow every output down', () => {
    const r = new SecretRegistry();
    r.add('static-secret-value');
    for (let i = 0; i < 1000; i++) r.addEphemeral(`signature-${String(i).padStart(4, '0')}`);
    expect(r.mask('signature-0999 static-secret-value')).to.equal('*** ***');
    expect(r.mask('signature-0001')).to.equal('signature-0001');
    expect(r.size).to.be.below(100);
  });

  it('masks strings deep inside events without copying untouched objects', () => {
    const r = new SecretRegistry();
    r.add('hunter2!');
    const clean = { a: { b: ['x'] } };
    expect(r.maskDeep(clean)).to.equal(clean);
    expect(r.maskDeep({ a: { b: ['pw hunter2!'] } })).to.deep.equal({ a: { b: ['pw ***'] } });
  });

  it('credentials seen in responses and session cookies become secrets', async () => {
    const { registerCookies, registerCredentials } = await import('../../src/secrets/credentials.js');
    const r = new SecretRegistry();
    registerCredentials(r, { user: [{ name: 'u', apikey: 'key-from-response' }], token: 'tok-12345' });
    registerCookies(r, ['JSESSIONID=abc123def; Path=/client', 'sessionkey=zzz999yyy;HttpOnly', 'opaque=q7q7q7q7; Secure; HttpOnly', 'lang=english; Path=/', 'theme=dark']);
    expect(r.mask('key-from-response tok-12345 abc123def zzz999yyy q7q7q7q7 u')).to.equal('*** *** *** *** *** u');
    // a cookie that is neither HttpOnly nor named like a session is no secret: its words stay readable
    expect(r.mask('english, dark')).to.equal('english, dark');
  });
});
