// `shell`: run a command through the host's shell over SSH (or locally for the implicit localhost).
// Output lines stream to the task list; rc, stdout, stderr and lines are registered. A dry run shows
// the rendered command and evaluates creates/removes on the host for real.

import { isUnknown, Unknown } from '../../expr/unknown.js';
import { defineStep } from '../types.js';
import { COMMAND_ARGS, COMMAND_RESULT, planCommand, runCommand } from './command.js';

export const shellStep = defineStep({
  name: 'shell',
  summary: 'Run a command on the host (rc, stdout, stderr, lines are registered)',
  description: [
    'The command is run by the remote user\'s shell (over the host\'s SSH connection; on the runner for the implicit `localhost`).',
    '',
    '- **Quoting.** The command is a template: put values in with `{{quote x}}`, which makes one shell word of any value.',
    '- **become.** `become: true` runs through `sudo` (`become_user`, default root). The password comes from `become_password` '
      + '(use a secret) or the inventory\'s `become_password` (else the host\'s SSH `password`); it goes to sudo **on stdin**, never '
      + 'on argv. When sudo turns out not to need it (root, NOPASSWD, cached credentials) the wrapper reads the password line itself, '
      + 'so the command still gets exactly its own `stdin`. With become, `env` and `cwd` apply inside sudo (sudo resets the environment).',
    '- **env.** Variables are exported in front of the command, so they are visible in `ps` on the host: put secrets on `stdin`, never in `env`.',
    '- **creates/removes** skip the command when a path exists / does not exist (relative to `cwd`); `ok_codes` lists the exit codes '
      + 'that count as success.',
    '',
    'Output lines stream to the task list as they arrive (stdout and stderr separately). A failure says `exit code N: <last line of '
      + 'stderr, else stdout>`. The step-level `timeout:` stops the remote command. A dry run shows the rendered command and evaluates '
      + '`creates`/`removes` on the host; rc and output are unknown.',
    '',
    '```yaml',
    '- name: Read the DB host',
    '  shell: "grep ^db.cloud.host= /etc/cloudstack/management/db.properties | cut -d= -f2"',
    '  register: dbhost',
    '- name: Import with the password on stdin',
    '  shell:',
    '    command: "mysql -h {{quote dbhost.stdout}} -u cloud -p cloud < {{quote dump}}"',
    '    stdin: "{{db_password}}\\n"',
    '    become: true',
    '    creates: /root/.imported',
    '```',
  ].join('\n'),
  result: COMMAND_RESULT,
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
