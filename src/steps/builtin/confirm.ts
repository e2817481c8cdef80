// `confirm`: stop before a dangerous step and ask the operator. Only "yes" goes on; any other answer, no
// terminal to ask on, the time limit or Ctrl-C means no — the step fails, so the run stops and its undo
// and always steps run. A dry run does not ask: it says it would.

import { formatDuration } from '../../util/durations.js';
import { arg } from '../schema/arg.js';
import { defineStep, StepFailedError } from '../types.js';

export const confirmStep = defineStep({
  name: 'confirm',
  summary: 'Ask the operator before going on; only "yes" continues',
  args: {
    prompt: arg.string('what is about to happen and what to check first (template)').required(),
    timeout: arg.duration('no answer within this long means no').default(600_000),
  },
  primary: 'prompt',
  description: 'The question is shown on the terminal the run was started from; type `yes` and Enter to go on. '
    + 'Anything else, no answer within `timeout`, Ctrl-C, or no terminal at all (CI, a pipe, `-o json` without a '
    + 'terminal) means no: the step fails and the run stops, its undo and always steps run, exit 1. '
    + 'A dry run does not ask.',
  result: { answer: ['string', 'the line the operator typed'] },
  effect: 'write',
  describe: (args) => `would ask: ${args.prompt}`,
  async check(_ctx, args) {
    return { changed: false, plan: `would ask: ${args.prompt}` };
  },
  async apply(ctx, args) {
    const ask = ctx.services.ask?.bind(ctx.services);
    const limit = AbortSignal.any([ctx.signal, AbortSignal.timeout(args.timeout)]);
    ctx.progress(`${args.prompt} — type yes and Enter to go on (no answer within ${formatDuration(args.timeout)} means no)`);
    let answer: string | null;
    try {
      answer = ask ? await ask(`${args.prompt}\nType yes to go on: `, limit) : null;
    } catch {
      if (ctx.signal.aborted) throw new StepFailedError('interrupted while waiting for an answer: not confirmed');
      throw new StepFailedError(`no answer within ${formatDuration(args.timeout)}: not confirmed`, { answer: '' });
    }
    if (answer === null) throw new StepFailedError('no terminal to ask on: not confirmed (a confirm step needs an operator)', { answer: '' });
    if (answer.trim().toLowerCase() !== 'yes') throw new StepFailedError(`answered '${answer.trim()}': not confirmed`, { answer: answer.trim() });
    return { changed: false, msg: 'confirmed', result: { answer: 'yes' } };
  },
});
