// `pause`: wait for a duration (interruptible by Ctrl-C).

import { formatDuration, parseDuration } from '../../util/durations.js';
import { defineStep } from '../types.js';

export const pauseStep = defineStep<{ duration: unknown }>({
  name: 'pause',
  summary: 'Wait for a duration',
  args: { duration: { type: 'duration', required: true, description: "how long, e.g. 10, '30s', '2m'" } },
  primary: 'duration',
  effect: 'write',
  describe: (args) => `would pause ${formatDuration(parseDuration(args.duration) ?? 0)}`,
  async check(_ctx, args) {
    return { changed: false, plan: `would pause ${formatDuration(parseDuration(args.duration) ?? 0)}` };
  },
  async apply(ctx, args) {
    const ms = parseDuration(args.duration) ?? 0;
    ctx.progress(`pausing ${formatDuration(ms)}`);
    await ctx.sleep(ms);
    return { changed: false, msg: `paused ${formatDuration(ms)}` };
  },
});
