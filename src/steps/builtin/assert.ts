// `assert`: fail the host unless every condition holds. Conditions use the expression language; they
// are raw arguments (the step evaluates them itself), parsed when the playbook is loaded.

import { evaluateCondition, parseExpression } from '../../expr/index.js';
import { isUnknown } from '../../expr/unknown.js';
import { arg } from '../schema/arg.js';
import { known } from '../schema/schema.js';
import { defineStep, StepFailedError } from '../types.js';

export const assertStep = defineStep({
  name: 'assert',
  summary: 'Fail unless every condition holds',
  args: {
    that: arg.list(arg.string(), 'condition expression(s), all must be true', { single: true }).required().raw(),
    msg: arg.string('message when a condition is false'),
    success_msg: arg.string('message when all hold'),
  },
  primary: 'that',
  description: 'Conditions are written in the expression language (docs/expressions.md), not as templates; they are checked '
    + 'when the playbook is loaded. In a dry run a condition on a value not known yet makes the step unknown, not failed.',
  result: { assertion: ['string', 'the condition that was false (a failed run only)'] },
  effect: 'none',
  validate(args, report) {
    if (!known(args.that)) return;
    for (const t of args.that) {
      const parsed = parseExpression(t);
      if (!parsed.ok) report('that', 'condition-syntax', `in 'assert': ${parsed.problem.message}`);
    }
  },
  async apply(ctx, args) {
    for (const t of args.that) {
      const parsed = parseExpression(t);
      if (!parsed.ok) throw new StepFailedError(`assert '${t}': ${parsed.problem.message}`);
      const v = evaluateCondition(parsed.ast, ctx.vars);
      if (isUnknown(v)) return { changed: false, unknown: `assertion '${t}' unknown in a dry run: ${v.reason}` };
      if (!v) throw new StepFailedError(args.msg ?? `assertion failed: ${t}`, { assertion: t });
    }
    return { changed: false, msg: args.success_msg ?? 'all assertions passed' };
  },
});
