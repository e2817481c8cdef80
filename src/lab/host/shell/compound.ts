// Compound commands of the lab hosts' shell: if/elif/else, case, for, while/until (with break and
// continue) and { } / ( ) groups, run by the interpreter through the few operations they need.

import { LoopControl } from './control.js';
import { expandFields, expandString, matchPattern, type Expansion } from './expand.js';
import type { Compound, Script } from './ast.js';
import type { CommandIO, ShellState } from './types.js';

export interface CompoundRunner {
  readonly sh: ShellState;
  loopDepth: number;
  list(items: Script, io: CommandIO): Promise<number>;
  subshell(body: Script, io: CommandIO): Promise<number>;
  x(io: CommandIO): Expansion;
}

const yieldTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

export async function runCompound(it: CompoundRunner, c: Compound, io: CommandIO): Promise<number> {
  switch (c.kind) {
    case 'group':
      return c.subshell ? it.subshell(c.body, io) : it.list(c.body, io);
    case 'if':
      for (const cl of c.clauses) if ((await it.list(cl.cond, io)) === 0) return it.list(cl.body, io);
      return c.otherwise ? it.list(c.otherwise, io) : 0;
    case 'case': {
      const x = it.x(io);
      const w = await expandString(c.word, x);
      for (const arm of c.arms) for (const p of arm.patterns) if (await matchPattern(w, p, x)) return it.list(arm.body, io);
      return 0;
    }
    case 'for': {
      const items = c.items ? await expandFields(c.items, it.x(io)) : [...(it.sh.args ?? [])];
      let status = 0;
      for (const v of items) {
        it.sh.env.set(c.name, v);
        const r = await loopBody(it, c.body, io);
        status = r.status;
        if (r.stop) break;
      }
      return status;
    }
    case 'while': {
      let status = 0;
      for (;;) {
        const cond = await it.list(c.cond, io);
        if ((cond === 0) === c.until) break;
        const r = await loopBody(it, c.body, io);
        status = r.status;
        if (r.stop) break;
        await yieldTurn(); // a busy loop must not starve timers (and the kill that would end it)
      }
      return status;
    }
  }
}

async function loopBody(it: CompoundRunner, body: Script, io: CommandIO): Promise<{ status: number; stop: boolean }> {
  it.loopDepth++;
  try {
    return { status: await it.list(body, io), stop: false };
  } catch (e) {
    if (!(e instanceof LoopControl)) throw e;
    if (e.levels > 1) throw new LoopControl(e.kind, e.levels - 1);
    return { status: 0, stop: e.kind === 'break' };
  } finally {
    it.loopDepth--;
  }
}
