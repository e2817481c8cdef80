// Which variable names a playbook can see, known before running: builtins, vars from the playbook,
// its plays, register/set/loop names, plus inventory and -e vars when the caller knows them.

import type { YNode } from '../yaml/yaml-nodes.js';

export const BUILTIN_VARS = [
  'inventory_hostname', 'host', 'groups', 'hostvars', 'play', 'playbook', 'dry_run', 'run', 'result', 'item',
] as const;

export class StaticScope {
  private readonly names = new Set<string>(BUILTIN_VARS);
  /** Names a step sets while the play runs (register, set, loop_var): their values are not known now. */
  private readonly bySteps = new Set<string>();
  readonly checkUndefined: boolean;

  constructor(known: ReadonlySet<string> | undefined) {
    this.checkUndefined = known !== undefined;
    if (known) for (const k of known) this.names.add(k);
  }

  has(name: string): boolean {
    return this.names.has(name);
  }

  setBySteps(name: string): boolean {
    return this.bySteps.has(name);
  }

  all(): Iterable<string> {
    return this.names;
  }

  /** Walks the plays once to learn every name a step can define. */
  collect(plays: YNode): void {
    const visit = (node: YNode, depth: number): void => {
      if (depth > 64) return;
      if (node.kind === 'seq') {
        for (const item of node.items) visit(item, depth + 1);
        return;
      }
      if (node.kind !== 'map') return;
      for (const { key, value } of node.pairs) {
        if ((key === 'register' || key === 'loop_var') && value.kind === 'scalar' && typeof value.value === 'string') {
          this.names.add(value.value);
          this.bySteps.add(value.value);
        } else if (key === 'vars' && value.kind === 'map') {
          for (const p of value.pairs) this.names.add(p.key);
        } else if (key === 'set' && value.kind === 'map') {
          const varsNode = value.pairs.find((p) => p.key === 'vars')?.value;
          const source = varsNode?.kind === 'map' ? varsNode : value;
          for (const p of source.pairs) {
            this.names.add(p.key);
            this.bySteps.add(p.key);
          }
        }
        visit(value, depth + 1);
      }
    };
    visit(plays, 0);
  }
}
