// `log`: print a message in the task list / output.

import { isUnknown, replaceUnknownMarks } from '../../expr/unknown.js';
import { defineStep } from '../types.js';

export const logStep = defineStep<{ msg: unknown }>({
  name: 'log',
  summary: 'Print a message',
  args: { msg: { type: 'any', required: true, description: 'the message (template); lists and maps are printed as JSON' } },
  primary: 'msg',
  effect: 'none',
  async apply(ctx, args) {
    const v = args.msg;
    const text = isUnknown(v) ? `<unknown: ${v.reason}>` : typeof v === 'string' ? replaceUnknownMarks(v) : JSON.stringify(v);
    ctx.output(text);
    return { changed: false, msg: text };
  },
});
