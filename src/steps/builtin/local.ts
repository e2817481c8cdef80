// `local`: run a command on the machine running stackplay, whatever the play's hosts are.

import { Unknown } from '../../expr/unknown.js';
import type { LocalTransport } from '../../transports/local.js';
import { defineStep } from '../types.js';
import { COMMAND_ARGS, COMMAND_RESULT, planCommand, runCommand } from '../remote/command.js';

let local: LocalTransport | undefined;
/** The transport, loaded on first use (child_process and friends are not needed to validate). */
async function transport(): Promise<LocalTransport> {
  local ??= new (await import('../../transports/local.js')).LocalTransport();
  return local;
}

export const localStep = defineStep({
  name: 'local',
  summary: 'Run a command on the machine running stackplay (output streamed)',
  args: COMMAND_ARGS,
  primary: 'command',
  description: 'The arguments and the registered result are those of `shell`; the command runs in a shell on the runner itself.',
  result: COMMAND_RESULT,
  effect: 'write',
  runsOn: 'runner',
  describe: (args) => `run locally: ${String(args.command)}`,
  async check(_ctx, args) {
    const plan = await planCommand(await transport(), args, 'the runner');
    if (plan.changed) return { ...plan, result: { rc: new Unknown(`exit code of '${String(args.command)}' (dry run)`), stdout: new Unknown('output (dry run)'), lines: new Unknown('output (dry run)') } };
    return plan;
  },
  async apply(ctx, args) {
    return runCommand(ctx, await transport(), args);
  },
});
