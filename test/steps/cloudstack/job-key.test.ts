// The key that lets a resumed run find an async job it submitted: stable for the same submission, and
// built without secret parameter values (even hashed, a short password could be guessed back).

import { expect } from 'chai';
import { jobKey } from '../../../src/steps/cloudstack/jobs.js';
import type { StepContext } from '../../../src/steps/types.js';

const ctx = { stepId: '1.3', hostName: 'ms1' } as StepContext;

describe('cloudstack job key', () => {
  it('is the same for the same submission, whatever the parameter order, and differs for other values', () => {
    const a = jobKey(ctx, 'ms1', 'stopSystemVm', { id: 'v-1', forced: true });
    expect(jobKey(ctx, 'ms1', 'stopSystemVm', { forced: true, id: 'v-1' })).to.equal(a);
    expect(jobKey(ctx, 'ms1', 'stopSystemVm', { id: 'v-2', forced: true })).to.not.equal(a);
    expect(a).to.not.include('v-1');
  });

  it('leaves secret parameter values out of the hash', () => {
    const one = jobKey(ctx, 'ms1', 'createUser', { username: 'u', password: 'abc' });
    expect(jobKey(ctx, 'ms1', 'createUser', { username: 'u', password: 'xyz' })).to.equal(one);
  });
});
