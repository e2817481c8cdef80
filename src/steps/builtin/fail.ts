// `fail`: fail the host with a message (usually under `when:`).

import { defineStep, StepFailedError } from '../types.js';

export const failStep = defineStep<{ msg: string }>({
  name: 'fail',
  summary: 'Fail the host with a message',
  args: { msg: { type: 'string', required: true, description: 'why' } },
  primary: 'msg',
  effect: 'none',
  async apply(_ctx, args) {
    throw new StepFailedError(String(args.msg));
  },
});
