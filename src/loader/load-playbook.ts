// Playbook loader: YAML text → validated AST. Collects every problem (unknown keys with "did you
// mean", wrong types, unknown step types and handlers, template and condition syntax, undefined
// variables) before anything runs; the caller prints them all at once.

import { readDocument } from '../yaml/document.js';
import type { BlockStep, Condition, Deadman, Play, Playbook, Step, StepCommon, TaskStep } from './ast.js';
import { parseDuration } from '../util/durations.js';
import { NodeReader } from '../yaml/node-reader.js';
import { ProblemList, type Position } from '../diagnostics/problems.js';
import { closestName, didYouMean } from '../diagnostics/suggest.js';
import { toValue, type YMap, type YNode } from '../yaml/yaml-nodes.js';
import type { StepDefinition } from '../steps/types.js';
import { checkArgs } from './check-args.js';
import { StaticScope } from './static-scope.js';
import { checkCondition, checkTemplatesIn } from './check-templates.js';

const PLAYBOOK_KEYS = ['name', 'description', 'vars', 'plays'] as const;
const PLAY_KEYS = ['name', 'hosts', 'vars', 'forks', 'serial', 'max_fail_percentage', 'strategy', 'steps', 'handlers'] as const;
export const COMMON_KEYS = [
  'name', 'when', 'register', 'loop', 'loop_var', 'until', 'retries', 'delay', 'ignore_errors', 'failed_when',
  'changed_when', 'notify', 'tags', 'timeout', 'run_once', 'undo',
] as const;
const BLOCK_KEYS = ['block', 'rescue', 'always'] as const;
/** Common keys a block does not implement (it has when, tags, ignore_errors, name). */
const BLOCK_UNSUPPORTED = ['register', 'loop', 'loop_var', 'until', 'retries', 'delay', 'failed_when', 'changed_when', 'notify', 'timeout', 'run_once', 'undo'] as const;
const UNDO_ONLY_KEYS = ['deadman'] as const;

export interface LoadOptions {
  readonly steps: ReadonlyMap<string, StepDefinition<never>>;
  /** Variables known from outside the playbook (inventory, -e); undefined → skip undefined-variable checks. */
  readonly knownVars?: ReadonlySet<string>;
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

  constructor(
    private readonly r: NodeReader,
    private readonly options: LoadOptions,
  ) {
    this.scope = new StaticScope(options.knownVars);
  }

  playbook(root: YMap): Playbook | undefined {
    const r = this.r;
    r.checkKeys(root, PLAYBOOK_KEYS, 'the playbook');
    const name = r.string(r.get(root, 'name'), "the playbook's 'name'", true, root) ?? '';
    const description = r.string(r.get(root, 'description'), "the playbook's 'description'");
    const vars = this.vars(r.get(root, 'vars'), 'playbook vars');
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
    return toValue(map) as Record<string, unknown>;
  }

  private checkValueTemplates(node: YNode | undefined): void {
    if (node !== undefined) checkTemplatesIn(this.r, node, this.scope);
  }

  private play(node: YNode, index: number): Play | undefined {
    const r = this.r;
    const map = r.expectMap(node, 'a play');
    if (map === undefined) return undefined;
    r.checkKeys(map, PLAY_KEYS, 'a play');
    const name = r.string(r.get(map, 'name'), "a play's 'name'", true, map) ?? `play ${index}`;
    const hosts = r.string(r.get(map, 'hosts'), "a play's 'hosts'", true, map) ?? 'localhost';
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
    const handlersNode = r.get(map, 'handlers');
    const handlers: TaskStep[] = [];
    const handlerNames = new Set<string>();
    if (handlersNode !== undefined) {
      if (handlersNode.kind !== 'seq') r.problem(handlersNode, 'wrong-type', "'handlers' must be a list of steps");
      else
        handlersNode.items.forEach((h, i) => {
          const step = this.step(h, `${index}.h${i + 1}`, { handlerNames: null, inUndo: false });
          if (step === undefined) return;
          if (step.kind !== 'task') r.problem(h, 'wrong-type', 'a handler must be a single step, not a block');
          else {
            handlers.push(step);
            handlerNames.add(step.name);
          }
        });
    }
    const steps = this.stepList(r.get(map, 'steps'), `${index}`, "a play's 'steps'", { handlerNames, inUndo: false }, map, true);
    return { index, name, hosts, vars, forks, serial, maxFailPercentage, strategy, steps, handlers, pos: r.pos(map) };
  }

  private stepList(
    node: YNode | undefined,
    prefix: string,
    what: string,
    ctx: StepCtx,
    parent: YNode,
    required: boolean,
  ): Step[] {
    const r = this.r;
    if (node === undefined || (node.kind === 'scalar' && node.value === null)) {
      if (required) r.problem(node ?? parent, 'missing-key', `${what} is required (a list of steps)`);
      return [];
    }
    if (node.kind !== 'seq') {
      r.problem(node, 'wrong-type', `${what} must be a list of steps, not ${r.describe(node)}`);
      return [];
    }
    const out: Step[] = [];
    node.items.forEach((item, i) => {
      const step = this.step(item, `${prefix}.${i + 1}`, ctx);
      if (step !== undefined) out.push(step);
    });
    return out;
  }

  private step(node: YNode, id: string, ctx: StepCtx): Step | undefined {
    const r = this.r;
    const map = r.expectMap(node, 'a step');
    if (map === undefined) return undefined;
    const isBlock = map.pairs.some((p) => p.key === 'block');
    const extraKeys: string[] = isBlock ? [...BLOCK_KEYS] : [];
    if (ctx.inUndo) extraKeys.push(...UNDO_ONLY_KEYS);
    const typeKeys: Array<{ key: string; keyNode: YNode; value: YNode }> = [];
    const seen = new Set<string>();
    for (const pair of map.pairs) {
      if (seen.has(pair.key)) r.problem(pair.keyNode, 'duplicate-key', `duplicate key '${pair.key}' in a step`);
      seen.add(pair.key);
      if ((COMMON_KEYS as readonly string[]).includes(pair.key) || extraKeys.includes(pair.key)) continue;
      if (this.options.steps.has(pair.key) && !isBlock) {
        typeKeys.push(pair);
        continue;
      }
      if (isBlock && (this.options.steps.has(pair.key) || (BLOCK_KEYS as readonly string[]).includes(pair.key))) {
        r.problem(pair.keyNode, 'unknown-key', `'${pair.key}' cannot be used in a block (a block has block/rescue/always)`);
        continue;
      }
      if (!ctx.inUndo && pair.key === 'deadman') {
        r.problem(pair.keyNode, 'unknown-key', "'deadman' belongs to an undo step (undo: { ..., deadman: ... })");
        continue;
      }
      const commonGuess = closestName(pair.key, [...COMMON_KEYS, ...extraKeys, 'block']);
      if (commonGuess !== undefined) {
        r.problem(pair.keyNode, 'unknown-key', `unknown key '${pair.key}' in a step — did you mean '${commonGuess}'?`);
      } else {
        r.problem(
          pair.keyNode,
          'unknown-step-type',
          `unknown step type '${pair.key}'${didYouMean(pair.key, this.options.steps.keys())}`,
          "run 'stackplay steps' to list step types",
        );
      }
    }
    if (isBlock) {
      // a block runs its steps; per-step behaviour (loops, retries, undo, register…) belongs on those steps
      for (const p of map.pairs) {
        if ((BLOCK_UNSUPPORTED as readonly string[]).includes(p.key)) {
          r.problem(p.keyNode, 'unsupported-on-block', `'${p.key}' cannot be used on a block; put it on the steps inside`);
        }
      }
      if (ctx.inUndo) r.problem(map, 'block-in-undo', 'an undo step must be a single step, not a block');
    }
    const nameNode = r.get(map, 'name');
    const name = r.string(nameNode, "a step's 'name'", true, map) ?? '';
    if (nameNode !== undefined) this.checkValueTemplates(nameNode);
    const common = this.common(map, id, name, ctx);
    if (isBlock) {
      const block: BlockStep = {
        ...common,
        kind: 'block',
        block: this.stepList(r.get(map, 'block'), `${id}.b`, "'block'", ctx, map, true),
        rescue: this.stepList(r.get(map, 'rescue'), `${id}.r`, "'rescue'", ctx, map, false),
        always: this.stepList(r.get(map, 'always'), `${id}.a`, "'always'", ctx, map, false),
      };
      return block;
    }
    if (typeKeys.length === 0) {
      if (!problemsAfter(r, map)) {
        r.problem(map, 'missing-step-type', `step '${name}' has no step type`, "run 'stackplay steps' to list step types");
      }
      return undefined;
    }
    if (typeKeys.length > 1) {
      r.problem(typeKeys[1]!.keyNode, 'multiple-step-types', `a step has exactly one step type, found ${typeKeys.map((t) => `'${t.key}'`).join(' and ')}`);
      return undefined;
    }
    const typePair = typeKeys[0]!;
    const def = this.options.steps.get(typePair.key)!;
    const checked = checkArgs(r, def, typePair.value, typePair.keyNode);
    checkTemplatesIn(r, typePair.value, this.scope, def);
    const argPos = new Map([...checked.nodes].map(([k, n]) => [k, r.pos(n)] as const));
    return { ...common, kind: 'task', type: def.name, args: checked.args, argPos, file: r.file.path };
  }

  private common(map: YMap, id: string, name: string, ctx: StepCtx): StepCommon {
    const r = this.r;
    const cond = (key: string): Condition | undefined => {
      const node = r.get(map, key);
      if (node === undefined) return undefined;
      return checkCondition(r, node, key, this.scope);
    };
    const registerNode = r.get(map, 'register');
    const register = r.string(registerNode, "'register'");
    if (register !== undefined && registerNode && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(register)) {
      r.problem(registerNode, 'bad-name', `'register' must be a variable name (letters, digits, _), not '${register}'`);
    }
    const loopNode = r.get(map, 'loop');
    let loop: unknown;
    if (loopNode !== undefined) {
      if (loopNode.kind === 'seq' || (loopNode.kind === 'scalar' && typeof loopNode.value === 'string')) {
        loop = toValue(loopNode);
        checkTemplatesIn(r, loopNode, this.scope);
      } else r.problem(loopNode, 'wrong-type', "'loop' must be a list or a template that gives a list");
    }
    const loopVar = r.string(r.get(map, 'loop_var'), "'loop_var'") ?? 'item';
    const retriesNode = r.get(map, 'retries');
    const retries = r.int(retriesNode, "'retries'", 0);
    const delayMs = this.duration(r.get(map, 'delay'), "'delay'");
    const timeoutMs = this.duration(r.get(map, 'timeout'), "'timeout'");
    const notifyNode = r.get(map, 'notify');
    const notify = r.stringList(notifyNode, "'notify'");
    if (notifyNode !== undefined && ctx.handlerNames !== null) {
      for (const n of notify) {
        if (!ctx.handlerNames.has(n)) {
          r.problem(notifyNode, 'unknown-handler', `notify names an unknown handler '${n}'${didYouMean(n, ctx.handlerNames)}`);
        }
      }
    }
    const undoNode = r.get(map, 'undo');
    let undo: Step[] = [];
    let deadman: Deadman | undefined;
    if (undoNode !== undefined) {
      if (ctx.inUndo) r.problem(undoNode, 'nested-undo', 'an undo step cannot have its own undo');
      else {
        const list = undoNode.kind === 'seq' ? undoNode.items : [undoNode];
        list.forEach((u, i) => {
          const s = this.step(u, `${id}.u${i + 1}`, { ...ctx, inUndo: true });
          if (s !== undefined) undo.push(s);
        });
      }
    }
    if (ctx.inUndo) {
      const dm = r.get(map, 'deadman');
      if (dm !== undefined) deadman = this.deadman(dm);
    }
    return {
      id,
      name,
      pos: r.pos(map),
      when: cond('when'),
      register,
      loop,
      loopVar,
      until: cond('until'),
      retries: retries ?? (r.get(map, 'until') !== undefined ? 3 : undefined),
      delayMs,
      ignoreErrors: r.bool(r.get(map, 'ignore_errors'), "'ignore_errors'") ?? false,
      failedWhen: cond('failed_when'),
      changedWhen: cond('changed_when'),
      notify,
      tags: r.stringList(r.get(map, 'tags'), "'tags'"),
      timeoutMs,
      runOnce: r.bool(r.get(map, 'run_once'), "'run_once'") ?? false,
      undo,
      deadman,
    };
  }

  private deadman(node: YNode): Deadman | undefined {
    const r = this.r;
    const map = r.expectMap(node, "'deadman'");
    if (map === undefined) return undefined;
    r.checkKeys(map, ['after', 'command', 'host'], "'deadman'");
    const command = r.string(r.get(map, 'command'), "deadman 'command'", true, map);
    const host = r.string(r.get(map, 'host'), "deadman 'host'");
    const afterNode = r.get(map, 'after');
    const afterMs = this.duration(afterNode, "deadman 'after'");
    if (afterNode === undefined) r.problem(map, 'missing-key', "deadman 'after' (a duration) is required");
    checkTemplatesIn(r, map, this.scope);
    return afterMs === undefined || command === undefined ? undefined : { afterMs, command, host };
  }

  private duration(node: YNode | undefined, what: string): number | undefined {
    if (node === undefined) return undefined;
    const v = node.kind === 'scalar' ? parseDuration(node.value) : undefined;
    if (v === undefined) this.r.problem(node, 'wrong-type', `${what} must be a duration like 5, '500ms', '30s', '5m', '1h'`);
    return v;
  }
}

interface StepCtx {
  readonly handlerNames: ReadonlySet<string> | null;
  readonly inUndo: boolean;
}

/** True when this step's own keys already produced a problem (avoid piling on "no step type"). */
function problemsAfter(r: NodeReader, map: YMap): boolean {
  return r.problems.items.some((p) => p.pos !== null && p.pos.offset >= map.start && p.pos.offset < map.end);
}

export type { Position };
