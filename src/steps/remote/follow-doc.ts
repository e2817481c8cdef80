// What the reference says about `follow` beyond its arguments: how the command is started and read,
// progress rules, reconnects and stopping (kept beside the step, out of its code).

export const FOLLOW_DOC = [
  'Made for `cloudstack-sysvmadm`, which runs for an hour, prints `ERROR: …` lines and exits 0 whatever happened '
    + '([cloudstack-facts.md §8.4–8.5](cloudstack-facts.md)).',
  '',
  '```yaml',
  '- name: Restart system VMs and routers',
  '  follow:',
  '    command: "cloudstack-sysvmadm -d {{quote cloudstack_db.host}} -u cloud -p {{quote cloudstack_db.password}} -a"',
  '    log: /root/stackplay-sysvmadm.log',
  '    progress:',
  "      - {pattern: 'Stopping and starting (?<total>\\d+) (?<kind>.+?) vm\\(s\\)', message: '{kind}: {total} vm(s)', phase: true}",
  "    failure: '^ERROR:'",
  "    success: 'Done restarting router'",
  '    timeout: 3h',
  '  register: sysvm',
  '```',
  '',
  'The command runs detached under `nohup` with its output in `log`; the exit code goes to `LOG.rc`, the wrapper\'s pid to '
    + '`LOG.pid`. Each poll reads `LOG.rc` and the bytes of the log after the last offset (`tail -c +OFFSET`): only complete lines '
    + 'are consumed, so a line is never cut in two or reported twice. When the connection drops, the step reconnects through the '
    + 'pool (for up to `reconnect_timeout`) and carries on from the same offset while the command keeps running. When the exit code '
    + 'is missing but the wrapper process is gone (killed, OOM), the step fails instead of waiting forever.',
  '',
  'Progress rules: on a matching line, named groups made of digits become counters (added up in `counts`, set per phase); '
    + '`count: NAME` adds one to counter `NAME`; `phase: true` starts a new phase shown as a subtask titled by `message` '
    + '(placeholders `{group}` and `{line}`), which ends `ok`, or `failed` when a failure line fell in it. Every other match updates '
    + 'the progress line; every output line goes to the task list. `failure` lines fail the step even when the command exits 0; '
    + 'each `success` pattern must match some line (a run cut short is caught). Patterns are RE2 syntax, matched in linear time '
    + '(see [expressions.md](expressions.md#regular-expressions)).',
  '',
  'Use `follow`\'s own `timeout`, not the step-level `timeout:` key: the latter abandons the step at once, and the run may close '
    + 'the connection before the remote command is stopped. With `on_interrupt: kill` (the default) Ctrl-C, SIGTERM or the timeout '
    + 'stop the command and everything it started (its process group gets TERM); `leave` leaves it running and the message names '
    + 'the log. A dry run shows the command it would start and where its output would go.',
].join('\n');
