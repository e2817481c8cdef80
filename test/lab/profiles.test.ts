// Version profiles, API side: the release buckets and the commands that came later.

import { expect } from 'chai';
import { hasCommand, profileOf, PROFILES } from '../../src/lab/world/profiles.js';

describe('lab version profiles (API)', () => {
  it('maps versions to the release buckets and gates the commands that came later', () => {
    expect(PROFILES.map((p) => profileOf(p.example))).to.deep.equal(PROFILES.map((p) => p.id));
    expect(['4.16.1.0', '4.18.0.0', '4.19.0.2', '4.19.1.1', '4.19.3.0', '4.20.2.0', '4.20.3.0', '4.21.0.0', '4.22.0.0'].map(profileOf))
      .to.deep.equal(['4.18', '4.18', '4.19.0', '4.19.1', '4.19.2', '4.20.0', '4.20.3', '4.21', '4.22']);
    expect(hasCommand('4.16.1.0', 'patchSystemVm')).to.equal(false);
    expect(hasCommand('4.18.2.5', 'patchSystemVm')).to.equal(true);
    expect(hasCommand('4.18.2.5', 'triggerShutdown')).to.equal(false);
    expect(hasCommand('4.20.3.0', 'cancelMaintenance')).to.equal(false);
    expect(hasCommand('4.21.0.0', 'cancelMaintenance')).to.equal(true);
  });

});
