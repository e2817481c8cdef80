// `shell`: run a command through the host's shell over SSH (or locally for the implicit localhost).

import { Unknown } from '../../expr/unknown.js';
import { defineStep } from '../types.js';
import { COMMAND_ARGS, planCommand, runCommand, type CommandArgs } from './command.js';

export const shellStep = defineStep<CommandArgs>({
  name: 'shell',
  summary: 'Run a command on the host (rc, stdout, stderr, lines are registered)',
  args: COMMAND_ARGS,
  primary: 'command',
  effect: 'write',
  runsOn: 'host',
  describe: (args) => `run: ${args.command}`,
  async check(ctx, args) {
    const t = await ctx.services.ssh(ctx.hostName);
    const plan = await planCommand(t, args, ctx.hostName);
    if (plan.changed) return { ...plan, result: { rc: new Unknown(`exit code of '${args.command}' (dry run)`), stdout: new Unknown('output (dry run)'), stderr: new Unknown('output (dry run)'), lines: new Unknown('output (dry run)') } };
    return plan;
  },
  async apply(ctx, args) {
    const t = await ctx.services.ssh(ctx.hostName);
    return runCommand(ctx, t, args);
  },
});
