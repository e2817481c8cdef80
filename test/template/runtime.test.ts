import { expect } from 'chai';
import { render } from '../../src/template/index.js';
import { usesFastInvoke } from '../../src/template/runtime.js';

describe('template runtime', () => {
  // The fast path skips Handlebars' per-render helper setup; at load time it is checked against the
  // ordinary path on a probe template. If a Handlebars upgrade breaks that, renders stay correct but
  // slow, and this test says so.
  it('renders through the verified fast path', () => {
    render('{{x}}', { x: 1 });
    expect(usesFastInvoke()).to.equal(true);
  });

  it('keeps rendering correctly across many hosts with one cached template', () => {
    const source = 'ssh {{host.name}} {{quote host.ip}}{{#if (vgte cs.version "4.17")}} live{{/if}}';
    for (let i = 0; i < 1000; i++) {
      const scope = { host: { name: `h${i}`, ip: `10.0.${i >> 8}.${i & 255}` }, cs: { version: i % 2 ? '4.18' : '4.16' } };
      expect(render(source, scope)).to.equal(`ssh h${i} '10.0.${i >> 8}.${i & 255}'${i % 2 ? ' live' : ''}`);
    }
  });
});
