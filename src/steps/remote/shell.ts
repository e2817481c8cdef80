// `shell`: run a command through the host's shell over SSH (or locally for the implicit localhost).
// Output lines stream to the task list; rc, stdout, stderr and lines are registered. A dry run shows
// the rendered command and evaluates creates/removes on the host for real.

import { isUnknown, Unknown } from '../../expr/unknown.js';
import { defineStep } from '../types.js';
import { COMMAND_ARGS, planCommand, runCommand } from './command.js';

export const shellStep = defineStep({
  name: 'shell',
  summary: 'Run a command on the host (rc, stdout, stderr, lines are registered)',
  description: 'The command is run by the remote user\'s shell; quote values with {{quote x}}. With become it runs '
    + 'through sudo (a password goes to sudo on stdin). creates/removes make it idempotent; ok_codes lists the exit '
    + 'codes that count as success. The step-level timeout kills the remote command.',
  args: COMMAND_ARGS,
  primary: 'command',
  effect: 'write',
  runsOn: 'host',
  describe: (args) => `run: ${String(args.command)}`,
  async check(ctx, args) {
    const t = await ctx.services.ssh(ctx.hostName);
    const plan = await planCommand(t, args, ctx.hostName, ctx);
    if (plan.changed && plan.unknown === undefined) {
      const cmd = isUnknown(args.command) ? 'a command not known yet' : `'${args.command}'`;
      const why = `output of ${cmd} (dry run)`;
      return { ...plan, result: { rc: new Unknown(`exit code of ${cmd} (dry run)`), stdout: new Unknown(why), stderr: new Unknown(why), lines: new Unknown(why) } };
    }
    return plan;
  },
  async apply(ctx, args) {
    const t = await ctx.services.ssh(ctx.hostName);
    return runCommand(ctx, t, args);
  },
});
