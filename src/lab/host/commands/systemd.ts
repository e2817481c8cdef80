// systemctl and systemd-run on the management host: the cloudstack-management unit drives the lab's
// management-server lifecycle; systemd-run --on-active creates lab-time timers (a dead-man switch for the
// integration port, for instance) that `systemctl stop NAME.timer` cancels.

import { csDate, type TimerHandle } from '../../clock.js';
import type { LabCore } from '../../core.js';
import type { CommandImpl, CommandIO, RunContext } from '../shell/types.js';
import { Interpreter, newShell, procsOf } from '../shell/interpreter.js';
import { parseTimeSpan } from './lab-time.js';

export interface LabTimer {
  readonly unit: string;
  readonly argv: readonly string[];
  state: 'waiting' | 'ran' | 'stopped';
  readonly dueAt: number;
  handle?: TimerHandle | undefined;
  exitCode?: number | undefined;
}

const MS_UNITS = new Set(['cloudstack-management', 'cloudstack-management.service']);
const ALWAYS_ACTIVE = new Set(['mysql', 'mysql.service', 'mysqld', 'mariadb', 'mariadb.service', 'sshd', 'ssh', 'ssh.service']);

function msStatus(core: LabCore, io: CommandIO): number {
  const st = core.ms.state;
  const active = st === 'stopped' ? 'inactive (dead)' : 'active (running)';
  const since = csDate(st === 'stopped' ? (core.ms.lastStop ?? core.time.now()) : core.ms.lastStart || core.time.now());
  io.out(
    '● cloudstack-management.service - CloudStack Management Server\n' +
    '     Loaded: loaded (/lib/systemd/system/cloudstack-management.service; enabled; vendor preset: enabled)\n' +
    `     Active: ${active} since ${since}\n` +
    (st === 'stopped' ? '' : '   Main PID: 4242 (java)\n') +
    (st === 'restarting' ? '\nNote: the management server is starting; the API is not accepting connections yet.\n' : ''),
  );
  return st === 'stopped' ? 3 : 0;
}

export function systemctlCommand(core: LabCore, timers: Map<string, LabTimer>): CommandImpl {
  return async (argv, io) => {
    const args = argv.slice(1).filter((a) => !a.startsWith('-'));
    const quiet = argv.includes('--quiet') || argv.includes('-q');
    const verb = args[0];
    const units = args.slice(1);
    if (verb === 'daemon-reload') return 0;
    if (verb === 'list-timers') {
      for (const t of timers.values()) if (t.state === 'waiting') io.out(`${csDate(t.dueAt)}  ${t.unit}.timer  ${t.unit}.service\n`);
      return 0;
    }
    if (!verb || units.length === 0) {
      io.err(verb ? `Too few arguments.\n` : 'lab: systemctl: give a verb (start, stop, restart, status, is-active) and a unit\n');
      return 1;
    }
    let status = 0;
    for (const unit of units) {
      const out = (s: string): void => {
        if (!quiet) io.out(s);
      };
      if (MS_UNITS.has(unit)) {
        switch (verb) {
          case 'restart': await core.ms.restart(); break;
          case 'stop': await core.ms.stop(); break;
          case 'start': await core.ms.start(); break;
          case 'is-active': out(core.ms.state === 'stopped' ? 'inactive\n' : 'active\n'); if (core.ms.state === 'stopped') status = 3; break;
          case 'is-enabled': out('enabled\n'); break;
          case 'status': status = Math.max(status, msStatus(core, io)); break;
          default: io.err(`lab: systemctl: verb ${verb} is not emulated\n`); return 1;
        }
        continue;
      }
      const timerName = unit.endsWith('.timer') ? unit.slice(0, -6) : unit.endsWith('.service') ? unit.slice(0, -8) : undefined;
      const t = timerName !== undefined ? timers.get(timerName) : undefined;
      if (t) {
        const waiting = t.state === 'waiting';
        switch (verb) {
          case 'stop':
            if (waiting && t.handle) core.time.cancel(t.handle);
            if (waiting) t.state = 'stopped';
            break;
          case 'is-active': out(waiting && unit.endsWith('.timer') ? 'active\n' : 'inactive\n'); if (!(waiting && unit.endsWith('.timer'))) status = 3; break;
          case 'status':
            out(`● ${unit}\n     Active: ${waiting ? `active (waiting), trigger at ${csDate(t.dueAt)}` : `inactive (dead)`}\n`);
            if (!waiting) status = 3;
            break;
          default: io.err(`lab: systemctl: verb ${verb} is not emulated for ${unit}\n`); return 1;
        }
        continue;
      }
      if (ALWAYS_ACTIVE.has(unit)) {
        if (verb === 'is-active') out('active\n');
        else if (verb === 'status') out(`● ${unit}\n     Active: active (running)\n`);
        continue;
      }
      if (verb === 'is-active') {
        out('inactive\n');
        status = 3;
      } else if (verb === 'stop') {
        io.err(`Failed to stop ${unit}: Unit ${unit} not loaded.\n`);
        status = 5;
      } else {
        io.err(`Unit ${unit}${unit.includes('.') ? '' : '.service'} could not be found.\n`);
        status = verb === 'status' ? 4 : 5;
      }
    }
    return status;
  };
}

export function systemdRunCommand(core: LabCore, timers: Map<string, LabTimer>, onRun: (t: LabTimer, code: number, output: string) => void): CommandImpl {
  let anon = 0;
  return async (argv, io, ctx: RunContext) => {
    let onActive: number | undefined;
    let unit: string | undefined;
    let i = 1;
    for (; i < argv.length && argv[i]!.startsWith('-'); i++) {
      const a = argv[i]!;
      const val = (name: string): string | undefined => (a === name ? argv[++i] : a.startsWith(name + '=') ? a.slice(name.length + 1) : undefined);
      let v: string | undefined;
      if ((v = val('--on-active')) !== undefined) {
        onActive = parseTimeSpan(v);
        if (onActive === undefined) {
          io.err(`Failed to parse timer value: ${v}\n`);
          return 1;
        }
      } else if ((v = val('--unit')) !== undefined || (v = val('-u')) !== undefined) unit = v.replace(/\.(service|timer)$/, '');
      else if (['--description', '--property', '-p', '--timer-property', '--setenv', '-E', '--working-directory'].some((n) => a === n)) i++;
      else if (/^--(quiet|no-block|collect|system|wait|pipe|same-dir|remain-after-exit)$/.test(a) || a === '-q' || a === '-G' || a.includes('=')) continue;
      else {
        io.err(`lab: systemd-run: option ${a} is not emulated\n`);
        return 1;
      }
    }
    const cmd = argv.slice(i);
    if (cmd.length === 0) {
      io.err('Command line to execute required.\n');
      return 1;
    }
    const name = unit ?? `run-r${(++anon).toString(16).padStart(8, '0')}`;
    const existing = timers.get(name);
    if (existing?.state === 'waiting') {
      io.err(`Failed to start transient ${onActive !== undefined ? 'timer' : 'service'} unit: Unit ${name}.${onActive !== undefined ? 'timer' : 'service'} was already loaded or has a fragment file.\n`);
      return 1;
    }
    const t: LabTimer = { unit: name, argv: cmd, state: 'waiting', dueAt: core.time.now() + core.time.scale(onActive ?? 0) };
    timers.set(name, t);
    const fire = (): void => {
      t.state = 'ran';
      t.handle = undefined;
      let output = '';
      const sink = (s: string): void => void (output += s);
      const sh = newShell(ctx.host);
      sh.cwd = '/';
      // a unit is a session of its own, started by systemd (pid 1), not by the shell that ran systemd-run
      const unit = new Interpreter(ctx.host, sh);
      void unit.execArgv(cmd, { stdin: '', out: sink, err: sink }, sh).then((code) => {
        procsOf(ctx.host).exit(unit.proc);
        t.exitCode = code;
        onRun(t, code, output);
      });
    };
    if (onActive !== undefined) {
      io.err(`Running timer as unit: ${name}.timer\nWill run service as unit: ${name}.service\n`);
      t.handle = core.time.after(onActive, fire);
    } else {
      io.err(`Running as unit: ${name}.service\n`);
      fire();
    }
    return 0;
  };
}
