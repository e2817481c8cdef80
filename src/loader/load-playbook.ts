// Playbook loader: YAML text → validated AST. Collects every problem (unknown keys with "did you
// mean", wrong types, unknown step types and handlers, template and condition syntax, undefined
// variables) before anything runs; the caller prints them all at once.

import { readDocument } from '../yaml/document.js';
import type { Play, Playbook, TaskStep } from './ast.js';
import type { NodeReader } from '../yaml/node-reader.js';
import type { ProblemList, Position } from '../diagnostics/problems.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { YMap, YNode } from '../yaml/yaml-nodes.js';
import type { StepType } from '../steps/types.js';
import { StaticScope } from './static-scope.js';
import { checkTemplatesIn } from './check-templates.js';
import { StepLoader } from './load-step.js';
import { checkHostPattern } from './check-hosts.js';
import { playHabit } from './step-habits.js';
import type { Inventory } from '../inventory/types.js';
import { SecretRegistry } from '../secrets/masker.js';
import { SecretValueReader, type SecretSourceOptions } from '../secrets/sources.js';

export const PLAYBOOK_KEYS = ['name', 'description', 'vars', 'plays'] as const;
export const PLAY_KEYS = ['name', 'hosts', 'vars', 'forks', 'serial', 'max_fail_percentage', 'strategy', 'steps', 'handlers'] as const;

export interface LoadOptions {
  readonly steps: ReadonlyMap<string, StepType>;
  /** Variables known from outside the playbook (inventory, -e); undefined → skip undefined-variable checks. */
  readonly knownVars?: ReadonlySet<string>;
  /** The inventory's host names; undefined → host arguments are not checked against an inventory. */
  readonly hosts?: ReadonlySet<string>;
  /** The inventory plays' host patterns must match; undefined → only their syntax is checked. */
  readonly inventory?: Inventory;
  /** How `{ secret }`, `{ env }`, `{ file }` in vars are read; without it they are checked, not resolved. */
  readonly secretSources?: SecretSourceOptions;
}

export type LoadResult = { readonly ok: true; readonly playbook: Playbook } | { readonly ok: false; readonly problems: ProblemList };

export function loadPlaybook(path: string, text: string, options: LoadOptions): LoadResult {
  const doc = readDocument(path, text);
  if (!doc.ok) return doc;
  const r = doc.reader;
  const problems = r.problems;
  if (doc.node === null) {
    problems.add('empty-playbook', 'the playbook is empty', { file: path, line: 1, col: 1, offset: 0, length: 1 });
    return { ok: false, problems };
  }
  const root = r.expectMap(doc.node, 'a playbook');
  if (root === undefined) return { ok: false, problems };
  const loader = new PlaybookLoader(r, options);
  const playbook = loader.playbook(root);
  if (!problems.ok || playbook === undefined) return { ok: false, problems };
  return { ok: true, playbook };
}

class PlaybookLoader {
  private readonly scope: StaticScope;
  private readonly steps: StepLoader;
  private readonly values: SecretValueReader;
  private playbookVars: Readonly<Record<string, unknown>> = {};

  constructor(
    private readonly r: NodeReader,
    private readonly options: LoadOptions,
  ) {
    this.scope = new StaticScope(options.knownVars);
    this.steps = new StepLoader(r, options, this.scope);
    this.values = new SecretValueReader(r, options.secretSources ?? { secrets: new SecretRegistry(), resolve: false, baseDir: '.' });
  }

  playbook(root: YMap): Playbook | undefined {
    const r = this.r;
    r.checkKeys(root, PLAYBOOK_KEYS, 'the playbook');
    const name = r.string(r.get(root, 'name'), "the playbook's 'name'", true, root) ?? '';
    const description = r.string(r.get(root, 'description'), "the playbook's 'description'");
    const vars = this.vars(r.get(root, 'vars'), 'playbook vars');
    this.playbookVars = vars;
    const playsNode = r.get(root, 'plays');
    const plays: Play[] = [];
    if (playsNode === undefined) r.problem(root, 'missing-key', "the playbook needs 'plays' (a list of plays)");
    else if (playsNode.kind !== 'seq') r.problem(playsNode, 'wrong-type', `'plays' must be a list, not ${r.describe(playsNode)}`);
    else {
      // every register/set/loop name anywhere counts as known: order checks would be too strict for blocks
      this.scope.collect(root);
      playsNode.items.forEach((node, i) => {
        const play = this.play(node, i + 1);
        if (play !== undefined) plays.push(play);
      });
    }
    this.checkValueTemplates(r.get(root, 'vars'));
    return { file: r.file.path, name, description, vars, plays };
  }

  private vars(node: YNode | undefined, what: string): Record<string, unknown> {
    if (node === undefined) return {};
    const map = this.r.expectMap(node, what);
    if (map === undefined) return {};
    // secret sources work in playbook vars as in an inventory (resolved for a run, masked everywhere)
    return this.values.value(map, what) as Record<string, unknown>;
  }

  private checkValueTemplates(node: YNode | undefined): void {
    if (node !== undefined) checkTemplatesIn(this.r, node, this.scope);
  }

  private play(node: YNode, index: number): Play | undefined {
    const r = this.r;
    const map = r.expectMap(node, 'a play');
    if (map === undefined) return undefined;
    // Ansible's play keywords get what stackplay writes instead; other unknown keys a did-you-mean
    const habits = map.pairs.filter((p) => !(PLAY_KEYS as readonly string[]).includes(p.key) && playHabit(p.key) !== undefined);
    for (const p of habits) r.problem(p.keyNode, 'ansible-habit', playHabit(p.key)!);
    r.checkKeys(map, [...PLAY_KEYS, ...habits.map((p) => p.key)], 'a play');
    const name = r.string(r.get(map, 'name'), "a play's 'name'", true, map) ?? `play ${index}`;
    const hostsNode = r.get(map, 'hosts');
    const hostsText = r.string(hostsNode, "a play's 'hosts'", true, map);
    if (hostsNode !== undefined && hostsText !== undefined) checkHostPattern(r, hostsNode, hostsText, this.options.inventory);
    const hosts = hostsText ?? 'localhost';
    const vars = this.vars(r.get(map, 'vars'), 'play vars');
    this.checkValueTemplates(r.get(map, 'vars'));
    const forks = r.int(r.get(map, 'forks'), "'forks'", 1);
    const serialNode = r.get(map, 'serial');
    let serial: number | string | undefined;
    if (serialNode !== undefined) {
      const v = serialNode.kind === 'scalar' ? serialNode.value : undefined;
      if (typeof v === 'number' && Number.isInteger(v) && v > 0) serial = v;
      else if (typeof v === 'string' && /^\d{1,3}%$/.test(v) && Number(v.slice(0, -1)) > 0) serial = v;
      else r.problem(serialNode, 'wrong-type', "'serial' must be a positive integer or a percentage like '25%'");
    }
    const mfpNode = r.get(map, 'max_fail_percentage');
    const maxFailPercentage = r.int(mfpNode, "'max_fail_percentage'", 0);
    if (maxFailPercentage !== undefined && maxFailPercentage > 100 && mfpNode) {
      r.problem(mfpNode, 'wrong-type', "'max_fail_percentage' must be between 0 and 100");
    }
    const strategyNode = r.get(map, 'strategy');
    const strategyText = r.string(strategyNode, "'strategy'") ?? 'linear';
    if (strategyText !== 'linear' && strategyText !== 'free' && strategyNode) {
      r.problem(strategyNode, 'bad-value', `'strategy' must be 'linear' or 'free'${didYouMean(strategyText, ['linear', 'free'])}`);
    }
    const strategy = strategyText === 'free' ? 'free' : 'linear';
    const known = this.options.knownVars;
    // a variable's type is known at load time only where no inventory, -e or step can replace it (so
    // validate without -i, which knows neither, checks only what the template itself gives)
    this.steps.loopVars = {
      values: { ...this.playbookVars, ...vars },
      overridden: (name) => known === undefined || known.has(name) || this.scope.setBySteps(name),
    };
    const handlersNode = r.get(map, 'handlers');
    const handlers: TaskStep[] = [];
    const handlerNames = new Set<string>();
    if (handlersNode !== undefined) {
      if (handlersNode.kind !== 'seq') r.problem(handlersNode, 'wrong-type', "'handlers' must be a list of steps");
      else
        handlersNode.items.forEach((h, i) => {
          const step = this.steps.step(h, `${index}.h${i + 1}`, { handlerNames: null, inUndo: false });
          if (step === undefined) return;
          if (step.kind !== 'task') r.problem(h, 'wrong-type', 'a handler must be a single step, not a block');
          else {
            handlers.push(step);
            handlerNames.add(step.name);
          }
        });
    }
    // steps written under Ansible's 'tasks' already have their hint: no "'steps' is required" on top
    const stepsRequired = !habits.some((p) => p.key.endsWith('tasks'));
    const steps = this.steps.stepList(r.get(map, 'steps'), `${index}`, "a play's 'steps'", { handlerNames, inUndo: false }, map, stepsRequired);
    return { index, name, hosts, vars, forks, serial, maxFailPercentage, strategy, steps, handlers, pos: r.pos(map) };
  }
}

export type { Position };
