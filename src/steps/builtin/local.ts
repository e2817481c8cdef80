// `local`: run a command on the machine running stackplay, whatever the play's hosts are.

import { Unknown } from '../../expr/unknown.js';
import { LocalTransport } from '../../transports/local.js';
import { defineStep } from '../types.js';
import { COMMAND_ARGS, planCommand, runCommand, type CommandArgs } from '../remote/command.js';

const local = new LocalTransport();

export const localStep = defineStep<CommandArgs>({
  name: 'local',
  summary: 'Run a command on the machine running stackplay (output streamed)',
  args: COMMAND_ARGS,
  primary: 'command',
  effect: 'write',
  runsOn: 'runner',
  describe: (args) => `run locally: ${args.command}`,
  async check(_ctx, args) {
    const plan = await planCommand(local, args, 'the runner');
    if (plan.changed) return { ...plan, result: { rc: new Unknown(`exit code of '${args.command}' (dry run)`), stdout: new Unknown('output (dry run)'), lines: new Unknown('output (dry run)') } };
    return plan;
  },
  async apply(ctx, args) {
    return runCommand(ctx, local, args);
  },
});
