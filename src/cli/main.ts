// Command line: parses argv (commander), dispatches to commands, and maps every outcome to an exit
// code: 0 ok, 1 a step failed, 2 invalid input or usage (nothing ran), 3 unreachable, 130 interrupted.

import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT, flushStdout, makeIo, reportError, stdoutClosed } from './output.js';
import { UsageError } from '../app/errors.js';
import type { OutputMode } from './commands/run.js';
import type { RunEvent } from '../engine/events.js';
import { PACKAGE_ROOT } from '../app/load-input.js';
import { SecretRegistry } from '../secrets/masker.js';
import { defaultJournalDir } from '../journal/journal.js';

const collect = (v: string, prev: string[]): string[] => [...prev, v];
const list = (v: string, prev: string[]): string[] => [...prev, ...v.split(',').map((x) => x.trim()).filter(Boolean)];
const int = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`expected a positive integer, got '${v}'`);
  return n;
};

export async function main(argv: readonly string[]): Promise<void> {
  const io = await makeIo();
  const sources = new Map<string, string>();
  // one registry from the start: even a code frame printed for bad input is masked
  const secrets = new SecretRegistry();
  const debug = argv.includes('--debug');
  let code: number = EXIT.ok;
  const program = new Command('stackplay')
    .description('Playbooks for Apache CloudStack operations, over SSH and the CloudStack API')
    .version(JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')).version as string)
    .option('--debug', 'show stacks for internal errors')
    .exitOverride()
    .configureOutput({ writeOut: (t) => io.out(t), writeErr: (t) => io.err(t) })
    .showHelpAfterError();

  program
    .command('run')
    .description('run a playbook (a file, or a bundled one by name, e.g. cloudstack/systemvm-restart)')
    .argument('<playbook>', "playbook file, bundled name, or '-' for standard input")
    .option('-i, --inventory <file>', 'inventory file')
    .option('-e, --extra-vars <key=value|@file>', 'extra variables (highest precedence); repeatable', collect, [])
    .option('-n, --dry-run', 'run reads for real, predict writes, change nothing')
    .option('-C, --check', 'the same as --dry-run (Ansible\'s name for it)')
    .option('--save-plan <file>', 'with --dry-run: save what each step would do, for review and `stackplay apply <file>`')
    .option('--step', 'ask before each write step: yes, no (skip it) or continue (stop asking); needs a terminal')
    .option('-v, --verbose', 'more detail, repeatable: -v SSH connections and logins, -vv every API call and job poll', (_: string, n: number) => n + 1, 0)
    .option('--list-hosts', 'print the hosts each play would run on (after --limit) and exit; nothing runs')
    .option('--list-steps', 'print each play\'s steps with their tags and exit; nothing runs')
    .option('-f, --forks <n>', 'hosts a step runs on at once', int, 10)
    .option('-l, --limit <pattern>', 'restrict hosts to this pattern')
    .option('-t, --tags <tags>', 'run only steps with these tags', list, [])
    .option('--skip-tags <tags>', 'skip steps with these tags', list, [])
    .option('--start-at-step <name>', 'start at the step with this name')
    .addOption(new Option('-o, --output <mode>', 'output').choices(['auto', 'tasklist', 'plain', 'json']).default('auto'))
    .option('--accept-new-host-keys', 'record unknown host keys (changed keys still fail)')
    .option('--journal-dir <dir>', 'where run journals go (default: $STACKPLAY_JOURNAL_DIR, else $XDG_STATE_HOME/stackplay/runs, else ~/.local/state/stackplay/runs)', defaultJournalDir())
    .option('--force', 'start even if an earlier run on this inventory left undo steps open (recorded)')
    .option('--lab', 'start an embedded CloudStack lab for this run and use its inventory (a rehearsal)')
    .option('--lab-speed <n>', 'lab speed factor (simulated durations are divided by it)', int, 200)
    .action(async (playbook: string, o: Record<string, unknown>) => {
      let lab: { inventoryPath: string; stop(): Promise<void> } | undefined;
      if (o.lab) {
        if (o.inventory) throw new UsageError('--lab brings its own inventory; leave out -i');
        const { startLab } = await import('../lab/index.js');
        // a loopback address of its own, so the lab's integration port (8096) cannot collide with anything
        const address = `127.77.${1 + Math.floor(Math.random() * 254)}.${1 + Math.floor(Math.random() * 254)}`;
        // the lab's default world: a small production site (two management servers, two zones, 23 routers
        // with one already Stopped, tenant jobs coming and going, operations with a long tail)
        lab = await startLab({ speed: o.labSpeed as number, address });
        io.err(io.errStyle.dim(`lab: CloudStack simulator started (state in ${(lab as { stateDir?: string }).stateDir ?? '?'})\n`));
        o.inventory = lab.inventoryPath;
      }
      // `run -`: the playbook on standard input, kept beside the journal for recover and resume
      const runId = (await import('../app/run.js')).newRunId();
      const fromStdin = playbook === '-' ? await (await import('./stdin-playbook.js')).stdinPlaybook(process.stdin, String(o.journalDir), runId) : undefined;
      if (fromStdin) playbook = fromStdin.path;
      try {
        const request = {
          playbook, ...(o.inventory ? { inventory: String(o.inventory) } : {}), extraArgs: o.extraVars as string[],
          dryRun: o.dryRun === true || o.check === true, forks: o.forks as number, ...(o.step ? { confirmWrites: true } : {}),
          ...(o.limit ? { limit: String(o.limit) } : {}),
          ...((o.tags as string[]).length ? { tags: o.tags as string[] } : {}),
          ...((o.skipTags as string[]).length ? { skipTags: o.skipTags as string[] } : {}),
          ...(o.startAtStep ? { startAtStep: String(o.startAtStep) } : {}),
          ...(o.acceptNewHostKeys ? { acceptNewHostKeys: true } : {}),
          journalDir: String(o.journalDir), force: o.force === true,
        };
        if (o.listHosts || o.listSteps) {
          const [{ outline }, { printOutline }] = await Promise.all([import('../app/outline.js'), import('./commands/outline.js')]);
          printOutline(io, outline(request, { sources, secrets }), { hosts: o.listHosts === true, steps: o.listSteps === true, json: o.output === 'json' });
          fromStdin?.discard();
          code = EXIT.ok;
          return;
        }
        const [{ prepareRun }, { runOnTerminal }] = await Promise.all([import('../app/run.js'), import('./commands/run.js')]);
        // a confirm step asks on this terminal: the task list shows the question on the step, others on stderr
        // --step asks line by line, so it uses the plain output (a question must never hide under the live list)
        if (o.step && o.output === 'tasklist') throw new UsageError('--step asks a question before each write step, line by line: use it with -o plain (the default with --step)');
        if (o.step && o.output === 'auto') o.output = 'plain';
        const listShown = o.output === 'tasklist' || (o.output === 'auto' && process.stdout.isTTY === true && process.env.CI !== 'true' && process.env.TERM !== 'dumb');
        const ask = (await import('./ask.js')).terminalAsker(io, !listShown);
        if (o.step && !ask && !request.dryRun) throw new UsageError('--step asks before each write step: it needs a terminal on standard input');
        if (o.savePlan !== undefined && !request.dryRun) throw new UsageError('--save-plan saves what a dry run shows: use it with --dry-run');
        const events: RunEvent[] = [];
        code = await runOnTerminal(io, o.output as OutputMode, runId, () => prepareRun({ ...request, runId }, { sources, secrets, ...(ask ? { ask } : {}) }), o.verbose as number,
          o.savePlan !== undefined ? (e) => events.push(e) : undefined);
        if (o.savePlan !== undefined) {
          const { savePlanAfterDryRun } = await import('./commands/apply.js');
          savePlanAfterDryRun(io, String(o.savePlan), code, { ...request, runId }, sources, events, secrets);
        }
      } catch (err) {
        fromStdin?.discard(); // refused before it started: no journal refers to it
        throw err;
      } finally {
        // the run's own exit code stands (130 after Ctrl-C): a lab that fails to stop is only reported
        await lab?.stop().catch((err: unknown) => io.err(io.errStyle.yellow(`lab: could not stop cleanly: ${err instanceof Error ? err.message : String(err)}\n`)));
      }
    });

  const lab = program
    .command('lab')
    .description('run the CloudStack lab (a simulator for rehearsals and tests) in the foreground; Ctrl-C stops it')
    .option('--config <file>', 'lab YAML file (world size, versions, faults); its speed, apiPort and sshPort apply unless given here')
    // no commander defaults: a flag left out must not hide the lab file's value (defaults in src/lab/cli.ts)
    .option('--api-port <port>', 'API port of every management server (default 8080)')
    .option('--ssh-port <port>', 'SSH port of the management-server hosts (default 2222)')
    .option('--speed <n>', 'simulated durations are divided by this (default 100)')
    .option('--seed <n>', 'seed for deterministic ids')
    .option('--api-key <key>', 'API key (default: a fixed lab-only key)')
    .option('--secret-key <key>', 'secret key (default: a fixed lab-only key)')
    .option('--state-dir <dir>', 'where the lab writes its inventory, keys and state', '.stackplay/lab')
    .action(async (o: Record<string, string | undefined>) => {
      const { runLab } = await import('../lab/cli.js');
      await runLab(
        {
          ...(o.apiPort !== undefined ? { apiPort: o.apiPort } : {}), ...(o.sshPort !== undefined ? { sshPort: o.sshPort } : {}),
          ...(o.speed !== undefined ? { speed: o.speed } : {}), ...(o.config ? { config: o.config } : {}), ...(o.seed ? { seed: o.seed } : {}),
          ...(o.apiKey ? { apiKey: o.apiKey } : {}), ...(o.secretKey ? { secretKey: o.secretKey } : {}), ...(o.stateDir ? { stateDir: o.stateDir } : {}),
        },
        (line) => io.out(`${line}\n`),
      );
    });
  lab
    .command('status')
    .description('print the state of a running lab (from its state directory)')
    .option('--state-dir <dir>', 'the lab state directory (default .stackplay/lab)')
    .action(async (o: { stateDir?: string }) => {
      const { labStatus, formatLabStatus } = await import('../lab/cli.js');
      // `--state-dir` may land on `lab` itself (commander gives shared option names to the parent)
      const dir = o.stateDir ?? (lab.opts() as { stateDir?: string }).stateDir ?? '.stackplay/lab';
      io.out(`${formatLabStatus(await labStatus(dir)).join('\n')}\n`);
    });

  program
    .command('trust')
    .description('collect and record the SSH host keys of several hosts at once, showing their fingerprints')
    .argument('<hosts...>', 'inventory host names, or [user@]host[:port]')
    .option('-i, --inventory <file>', 'inventory file')
    .option('--known-hosts <file>', "where to record the keys (default: the inventory's known_hosts, else ~/.ssh/known_hosts)")
    .action(async (hosts: string[], o: { inventory?: string; knownHosts?: string }) => {
      const { loadInventoryFile } = await import('../app/load-input.js');
      const inventory = loadInventoryFile(o.inventory, sources);
      const { trustCommand } = await import('./commands/trust.js');
      code = await trustCommand(io, inventory, hosts, o.knownHosts);
    });

  program
    .command('apply')
    .description('run a plan saved by `run --dry-run --save-plan`: exactly that run, refused if a new dry run says otherwise')
    .argument('<plan>', 'the saved plan (JSON)')
    .option('-e, --extra-vars <key=value>', 'the secret -e values the plan left out; repeatable', collect, [])
    .option('--journal-dir <dir>', 'where run journals go', defaultJournalDir())
    .option('--accept-new-host-keys', 'record unknown host keys (changed keys still fail)')
    .option('-v, --verbose', 'more detail, repeatable', (_: string, n: number) => n + 1, 0)
    .addOption(new Option('-o, --output <mode>', 'output').choices(['auto', 'tasklist', 'plain', 'json']).default('auto'))
    .action(async (planPath: string, o: { extraVars: string[]; journalDir: string; acceptNewHostKeys?: boolean; verbose: number; output: OutputMode }) => {
      const { applyCommand } = await import('./commands/apply.js');
      code = await applyCommand(io, planPath, o, { sources, secrets });
    });

  program
    .command('runs')
    .description('list journaled runs (status, start, duration, open undo obligations)')
    .option('--journal-dir <dir>', 'journal directory', defaultJournalDir())
    .action(async (o: { journalDir: string }) => {
      const { runsCommand } = await import('./commands/journal-commands.js');
      code = runsCommand(io, o.journalDir);
    });

  program
    .command('show')
    .description("print a run's report from its journal (default: the last run)")
    .argument('[run]', 'run id (or a prefix)')
    .option('--journal-dir <dir>', 'journal directory', defaultJournalDir())
    .action(async (run: string | undefined, o: { journalDir: string }) => {
      const { showCommand } = await import('./commands/journal-commands.js');
      code = showCommand(io, o.journalDir, run);
    });

  program
    .command('resume')
    .description('continue an interrupted run from its first unfinished step (default: the last run that was not a dry run)')
    .argument('[run]', 'run id (or a prefix)')
    .option('--journal-dir <dir>', 'journal directory', defaultJournalDir())
    .addOption(new Option('-o, --output <mode>', 'output').choices(['auto', 'tasklist', 'plain', 'json']).default('auto'))
    .action(async (run: string | undefined, o: { journalDir: string; output: OutputMode }) => {
      const [{ prepareResume }, { runOnTerminal }] = await Promise.all([import('../app/resume.js'), import('./commands/run.js')]);
      const request = { journalDir: o.journalDir, ...(run !== undefined ? { runId: run } : {}) };
      code = await runOnTerminal(io, o.output, run ?? 'the run', async () => {
        const p = await prepareResume(request, { sources, secrets });
        if (p.kind === 'resumable') return p.prepared;
        io.out(`run ${p.runId} finished successfully; nothing to resume\n`);
        return null;
      });
    });

  program
    .command('recover')
    .description('discharge the open undo obligations of an interrupted run (default: the last run that was not a dry run)')
    .argument('[run]', 'run id (or a prefix)')
    .option('--journal-dir <dir>', 'journal directory', defaultJournalDir())
    .action(async (run: string | undefined, o: { journalDir: string }) => {
      const { recoverCommand } = await import('./commands/journal-commands.js');
      code = await recoverCommand(io, o.journalDir, run, { sources, secrets });
    });

  program
    .command('validate')
    .description('check a playbook (and inventory) and print every problem with its position; runs nothing')
    .argument('<playbook>', 'playbook file or bundled name')
    .option('-i, --inventory <file>', 'inventory file (enables undefined-variable checks)')
    .option('-e, --extra-vars <key=value|@file>', 'extra variables', collect, [])
    .action(async (playbook: string, o: Record<string, unknown>) => {
      const { validate } = await import('../app/validate.js');
      const v = validate({ playbook, ...(o.inventory ? { inventory: String(o.inventory) } : {}), extraArgs: o.extraVars as string[] }, { sources, secrets });
      io.out(`${io.style.green('valid')}: ${v.playbook.name} — ${v.plays} play(s), ${v.steps} step(s)\n`);
    });

  program
    .command('steps')
    .description('list step types with their arguments and what they register')
    .argument('[type]', 'show one step type in detail')
    .option('--markdown', 'print the step reference as Markdown (docs/steps.md)')
    .action(async (type: string | undefined, o: { markdown?: boolean }) => {
      const { describeSteps, stepsMarkdown } = await import('./commands/steps.js');
      if (o.markdown && type !== undefined) throw new UsageError('--markdown prints every step type; leave out the type');
      io.out(o.markdown ? stepsMarkdown() : describeSteps(type, io.style));
    });

  program
    .command('schema')
    .description('print the JSON Schema of playbooks or inventories (for editors), or write both with --out')
    .argument('[kind]', 'playbook (default) or inventory')
    .option('--out <dir>', 'write playbook.schema.json and inventory.schema.json into this directory')
    .action(async (kind: string | undefined, o: { out?: string }) => {
      const { schemaFiles, writeSchemaFiles } = await import('../editor/index.js');
      if (kind !== undefined && kind !== 'playbook' && kind !== 'inventory') throw new UsageError(`schema: '${kind}' is neither playbook nor inventory`);
      if (o.out !== undefined) for (const path of writeSchemaFiles(o.out)) io.out(`wrote ${path}\n`);
      else io.out(schemaFiles().get(`${kind ?? 'playbook'}.schema.json`)!);
    });

  program
    .command('completion')
    .description('print a shell completion script: eval "$(stackplay completion bash)" (or zsh) in your shell\'s rc file')
    .argument('<shell>', 'bash or zsh')
    .action(async (shell: string) => {
      const { completionScript } = await import('./commands/completion.js');
      io.out(completionScript(program, shell));
    });

  program
    .command('list')
    .description('list the bundled playbooks')
    .action(async () => {
      const { listPlaybooks } = await import('./commands/list.js');
      io.out(listPlaybooks(io.style));
    });

  try {
    await program.parseAsync(argv as string[], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      code = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    } else {
      code = reportError(io, err, sources, secrets, debug);
    }
  }
  await flush();
  process.exitCode = code;
}

function flush(): Promise<void> {
  flushStdout();
  return new Promise((resolve) => {
    // a closed stdout never drains: what it still held is lost anyway
    if (process.stdout.writableLength === 0 || stdoutClosed()) return resolve();
    process.stdout.once('drain', () => resolve());
    process.stdout.once('error', () => resolve());
  });
}

