// `assert`: fail the host unless every condition holds. Conditions use the expression language.

import { evaluateCondition, parseExpression } from '../../expr/index.js';
import { isUnknown } from '../../expr/unknown.js';
import { defineStep, StepFailedError } from '../types.js';

interface AssertArgs {
  that: string | string[];
  msg?: string;
  success_msg?: string;
}

export const assertStep = defineStep<AssertArgs>({
  name: 'assert',
  summary: 'Fail unless every condition holds',
  args: {
    that: { type: 'string-list', required: true, raw: true, description: 'condition expression(s), all must be true' },
    msg: { type: 'string', description: 'message when a condition is false' },
    success_msg: { type: 'string', description: 'message when all hold' },
  },
  primary: 'that',
  effect: 'none',
  validate(args, report) {
    const that = Array.isArray(args.that) ? args.that : [args.that];
    for (const t of that) {
      if (typeof t !== 'string' && typeof t !== 'boolean') continue;
      const parsed = parseExpression(String(t));
      if (!parsed.ok) report('that', 'condition-syntax', `in 'assert': ${parsed.problem.message}`);
    }
  },
  async apply(ctx, args) {
    const that = Array.isArray(args.that) ? args.that : [args.that];
    for (const t of that) {
      const parsed = parseExpression(String(t));
      if (!parsed.ok) throw new StepFailedError(`assert '${t}': ${parsed.problem.message}`);
      const v = evaluateCondition(parsed.ast, ctx.vars);
      if (isUnknown(v)) return { changed: false, unknown: `assertion '${t}' unknown in a dry run: ${v.reason}` };
      if (!v) throw new StepFailedError(args.msg ?? `assertion failed: ${t}`, { assertion: String(t) });
    }
    return { changed: false, msg: args.success_msg ?? 'all assertions passed' };
  },
});
