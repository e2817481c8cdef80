// `fail`: fail the host with a message (usually under `when:`).

import { arg } from '../schema/arg.js';
import { defineStep, StepFailedError } from '../types.js';

export const failStep = defineStep({
  name: 'fail',
  summary: 'Fail the host with a message',
  args: { msg: arg.string('why').required() },
  primary: 'msg',
  result: {},
  effect: 'none',
  async apply(_ctx, args) {
    throw new StepFailedError(args.msg);
  },
});
