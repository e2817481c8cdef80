// A private ssh-agent for tests: `ssh-agent -D -a <sock>` in the foreground (so we own its pid and
// stop it by that pid), loaded with the given unencrypted keys through ssh-add.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestAgent {
  readonly socket: string;
  stop(): Promise<void>;
}

export function sshAgentAvailable(): boolean {
  return existsSync('/usr/bin/ssh-agent') && existsSync('/usr/bin/ssh-add');
}

export async function startAgent(dir: string, keyFiles: readonly string[]): Promise<TestAgent> {
  const socket = join(dir, `agent-${process.pid}-${Date.now()}.sock`);
  const child = spawn('/usr/bin/ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; i < 200 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 10));
  if (!existsSync(socket)) {
    child.kill('SIGKILL');
    throw new Error('ssh-agent did not create its socket');
  }
  for (const k of keyFiles) await run('/usr/bin/ssh-add', ['-q', k], { env: { SSH_AUTH_SOCK: socket } });
  const onExit = (): void => { child.kill('SIGKILL'); };
  process.once('exit', onExit);
  return {
    socket,
    stop: async () => {
      process.removeListener('exit', onExit);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
