// The shell side of `follow`: the command shapes that start a detached command, read its log from a
// byte offset, read its exit code, and stop it. They are kept to what both a real POSIX shell and the
// lab's emulated management server understand (nohup, sh -c, redirections, $?, tail -c +N, cat, rm -f,
// mkdir -p); only stopping needs more ($!, ps, kill), and it is used on interrupt alone.

import { posix } from 'node:path';
import { shellQuote } from '../../util/shell-quote.js';

export interface FollowFiles {
  readonly log: string;
  readonly rc: string;
  readonly pid: string;
}

export function followFiles(log: string): FollowFiles {
  return { log, rc: `${log}.rc`, pid: `${log}.pid` };
}

/**
 * Starts `command` detached: it survives the SSH connection dropping, its output goes to the log, its
 * exit code to LOG.rc when it ends and the wrapper's pid to LOG.pid. The command runs in its own
 * `sh -c` so that an `exit` in it (or a trailing comment) cannot skip writing the exit code.
 */
export function startCommand(command: string, f: FollowFiles, cwd?: string): string {
  const body = `${cwd !== undefined ? `cd ${shellQuote(cwd)} && ` : ''}sh -c ${shellQuote(command)}\necho $? > ${shellQuote(f.rc)}`;
  const dir = posix.dirname(f.log);
  return `mkdir -p ${shellQuote(dir)}; rm -f ${shellQuote(f.rc)} ${shellQuote(f.pid)}; `
    + `nohup sh -c ${shellQuote(body)} > ${shellQuote(f.log)} 2>&1 & echo $! > ${shellQuote(f.pid)}`;
}

/** Prints the exit code once the command has ended; fails (non-zero rc) while it runs. */
export function readRcCommand(f: FollowFiles): string {
  return `cat ${shellQuote(f.rc)} 2>/dev/null`;
}

/** New output from a byte offset (0-based); `tail -c +N` counts from 1. */
export function readLogCommand(f: FollowFiles, offset: number): string {
  return `tail -c +${offset + 1} ${shellQuote(f.log)}`;
}

export function readPidCommand(f: FollowFiles): string {
  return `cat ${shellQuote(f.pid)} 2>/dev/null`;
}

/**
 * Stops the command and everything it started. Over SSH the wrapper sits in the process group of the
 * (gone) shell that started it, which holds nothing else: the whole group is signalled (background
 * children orphaned by a killed script included). When that group is also the stopping shell's own (a
 * local run: stackplay's group), the wrapper's process tree is signalled instead, never the runner.
 */
export function killCommand(f: FollowFiles, pid: number): string {
  return `if [ -e ${shellQuote(f.rc)} ]; then exit 0; fi; `
    + `g=$(ps -o pgid= -p ${pid} | tr -d ' '); s=$(ps -o pgid= -p $$ | tr -d ' '); `
    + `if [ -n "$g" ] && [ "$g" != "$s" ] && [ "$g" != 0 ]; then kill -s TERM -- -"$g"; `
    + `else t() { for c in $(pgrep -P "$1"); do echo "$c"; t "$c"; done; }; kill -s TERM ${pid} $(t ${pid}); fi`;
}

/**
 * Exit 0 while the wrapper runs, 1 once it is gone. A zombie counts as gone: an orphan's new parent
 * (init in a container, say) may be slow to reap it.
 */
export function aliveCommand(pid: number): string {
  return `if kill -0 ${pid} 2>/dev/null; then case "$(ps -o stat= -p ${pid} 2>/dev/null)" in Z*) exit 1;; esac; exit 0; else exit 1; fi`;
}

export function parseRc(text: string): number | null {
  const m = /^\s*(\d+)\s*$/.exec(text);
  return m ? Number(m[1]) : null;
}
