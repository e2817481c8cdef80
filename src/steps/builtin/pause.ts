// `pause`: wait for a duration (interruptible by Ctrl-C).

import { isUnknown } from '../../expr/unknown.js';
import { formatDuration } from '../../util/durations.js';
import { arg } from '../schema/arg.js';
import { defineStep } from '../types.js';

export const pauseStep = defineStep({
  name: 'pause',
  summary: 'Wait for a duration',
  args: { duration: arg.duration("how long, e.g. 10, '30s', '2m'").required() },
  primary: 'duration',
  description: 'The wait goes through the run\'s clock, so Ctrl-C (or the step\'s `timeout:`) cuts it short. A dry run does not wait.',
  result: {},
  effect: 'write',
  describe: (args) => `would pause ${isUnknown(args.duration) ? 'for a time not known yet' : formatDuration(args.duration)}`,
  async check(_ctx, args) {
    if (isUnknown(args.duration)) return { changed: false, plan: `would pause for a time not known yet (${args.duration.reason})` };
    return { changed: false, plan: `would pause ${formatDuration(args.duration)}` };
  },
  async apply(ctx, args) {
    ctx.progress(`pausing ${formatDuration(args.duration)}`);
    await ctx.sleep(args.duration);
    return { changed: false, msg: `paused ${formatDuration(args.duration)}` };
  },
});
