// The steps of a playbook at load time: a task (one step type and its arguments, read with the type's
// schema) or a block (block/rescue/always), the keys every step may have (when, loop, retries, undo…),
// undo steps with their dead-man switches, and handler names that `notify` must match.

import type { BlockStep, Condition, Deadman, Step, StepCommon } from './ast.js';
import { closestName, didYouMean } from '../diagnostics/suggest.js';
import { readDuration } from '../util/durations.js';
import type { NodeReader } from '../yaml/node-reader.js';
import { toValue, type YMap, type YNode } from '../yaml/yaml-nodes.js';
import { checkArgs } from './check-args.js';
import { checkCondition, checkTemplatesIn } from './check-templates.js';
import { stepHabit } from './step-habits.js';
import { checkLoopType, type LoopVars } from './check-loop.js';
import type { StepType } from '../steps/types.js';
import type { StaticScope } from './static-scope.js';

export const COMMON_KEYS = [
  'name', 'when', 'register', 'loop', 'loop_var', 'until', 'retries', 'delay', 'ignore_errors', 'failed_when',
  'changed_when', 'notify', 'tags', 'timeout', 'run_once', 'undo', 'dry_run',
] as const;
export const BLOCK_KEYS = ['block', 'rescue', 'always'] as const;
/** Common keys a block does not implement (it has when, tags, ignore_errors, name). */
const BLOCK_UNSUPPORTED = ['register', 'loop', 'loop_var', 'until', 'retries', 'delay', 'failed_when', 'changed_when', 'notify', 'timeout', 'run_once', 'undo', 'dry_run'] as const;
export const UNDO_ONLY_KEYS = ['deadman'] as const;

export interface StepCtx {
  /** Handlers `notify` may name (null: this step is a handler itself, which notifies nothing). */
  readonly handlerNames: ReadonlySet<string> | null;
  readonly inUndo: boolean;
}

export class StepLoader {
  /** The variables of the play being loaded, for the loop type check (undefined: not checked). */
  loopVars: LoopVars | undefined;

  constructor(
    private readonly r: NodeReader,
    private readonly options: { readonly steps: ReadonlyMap<string, StepType>; readonly hosts?: ReadonlySet<string> | undefined },
    private readonly scope: StaticScope,
  ) {}

  private checkValueTemplates(node: YNode | undefined): void {
    if (node !== undefined) checkTemplatesIn(this.r, node, this.scope);
  }

  stepList(
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

  step(node: YNode, id: string, ctx: StepCtx): Step | undefined {
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
      const habit = stepHabit(pair.key, pair.value);
      if (habit !== undefined) {
        r.problem(pair.keyNode, habit.code, habit.message);
        // what the habit holds (debug's message, with_items' list) may hold habits of its own
        this.checkValueTemplates(pair.value);
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
    // an undo step whose type can write its own dead-man script may leave out deadman's command
    const own = typeKeys.length === 1 ? this.options.steps.get(typeKeys[0]!.key) : undefined;
    const common = this.common(map, id, name, ctx, own?.deadman !== undefined);
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
    const checked = checkArgs(r, def, typePair.value, typePair.keyNode, this.options.hosts);
    checkTemplatesIn(r, typePair.value, this.scope, def);
    return { ...common, kind: 'task', type: def.name, args: checked.args, ready: checked.ready, argPos: checked.positions, file: r.file.path };
  }

  private common(map: YMap, id: string, name: string, ctx: StepCtx, scripted = false): StepCommon {
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
      if (loopNode.kind === 'scalar' && typeof loopNode.value === 'string' && !loopNode.value.includes('{{')) {
        // a plain string is no list: it would loop over nothing the author meant (or fail mid-run)
        r.problem(loopNode, 'wrong-type', `'loop' must be a list or a template that gives a list, not the string '${loopNode.value.length > 40 ? `${loopNode.value.slice(0, 37)}...` : loopNode.value}' (write [${loopNode.value}] for a list of one)`);
      } else if (loopNode.kind === 'seq' || (loopNode.kind === 'scalar' && typeof loopNode.value === 'string')) {
        loop = toValue(loopNode);
        checkTemplatesIn(r, loopNode, this.scope);
        checkLoopType(r, loopNode, this.loopVars);
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
      if (dm !== undefined) deadman = this.deadman(dm, scripted);
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
      ...(this.dryRunMode(r, r.get(map, 'dry_run')) === 'run' ? { dryRun: 'run' as const } : {}),
      undo,
      deadman,
    };
  }

  /** `dry_run: run` (a write step the author knows only reads runs for real in a dry run) or `predict`. */
  private dryRunMode(r: NodeReader, node: YNode | undefined): 'run' | 'predict' | undefined {
    const v = r.string(node, "'dry_run'");
    if (v === undefined || v === 'run' || v === 'predict') return v;
    r.problem(node!, 'bad-value', `'dry_run' is 'run' (run this step for real in a dry run: it only reads) or 'predict' (the default for steps that write), not '${v}'`);
    return undefined;
  }

  /** `scripted`: the undo step's type writes the script itself, so `command` may be left out. */
  private deadman(node: YNode, scripted: boolean): Deadman | undefined {
    const r = this.r;
    const map = r.expectMap(node, "'deadman'");
    if (map === undefined) return undefined;
    r.checkKeys(map, ['after', 'command', 'host', 'hosts'], "'deadman'");
    const command = r.string(r.get(map, 'command'), "deadman 'command'", !scripted, map);
    const host = r.string(r.get(map, 'host'), "deadman 'host'");
    const hostsNode = r.get(map, 'hosts');
    const hostList = hostsNode?.kind === 'seq' ? r.stringList(hostsNode, "deadman 'hosts'") : undefined;
    const hosts = hostList ?? r.string(hostsNode, "deadman 'hosts' (a list of hosts, or a template that gives one)");
    if (host !== undefined && hosts !== undefined) r.problem(map, 'bad-value', "deadman takes 'host' or 'hosts', not both");
    const afterNode = r.get(map, 'after');
    const afterMs = this.duration(afterNode, "deadman 'after'");
    if (afterNode === undefined) r.problem(map, 'missing-key', "deadman 'after' (a duration) is required");
    checkTemplatesIn(r, map, this.scope);
    if (afterMs === undefined || (command === undefined && !scripted)) return undefined;
    return { afterMs, command, host, hosts };
  }

  private duration(node: YNode | undefined, what: string): number | undefined {
    if (node === undefined) return undefined;
    const d = readDuration(node.kind === 'scalar' ? node.value : undefined);
    if (d.ok) return d.ms;
    const given = node.kind === 'scalar' && node.value !== null ? `'${String(node.value)}'` : this.r.describe(node);
    this.r.problem(node, d.tooLong ? 'bad-value' : 'wrong-type', `${what} ${d.message}, not ${given}`);
    return undefined;
  }
}

/** True when this step's own keys already produced a problem (avoid piling on "no step type"). */
function problemsAfter(r: NodeReader, map: YMap): boolean {
  return r.problems.items.some((p) => p.pos !== null && p.pos.offset >= map.start && p.pos.offset < map.end);
}
