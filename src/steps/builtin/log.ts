// `log`: print a message in the task list / output.

import { isUnknown, replaceUnknownMarks } from '../../expr/unknown.js';
import { arg } from '../schema/arg.js';
import { defineStep } from '../types.js';

export const logStep = defineStep({
  name: 'log',
  summary: 'Print a message',
  args: { msg: arg.any('the message (template); lists and maps are printed as JSON').required() },
  primary: 'msg',
  description: 'The message is shown under the step in every output mode and kept on the last screen; `msg` of the registered result holds it.',
  result: {},
  effect: 'none',
  async apply(ctx, args) {
    const v = args.msg;
    const text = isUnknown(v) ? `<unknown: ${v.reason}>` : typeof v === 'string' ? replaceUnknownMarks(v) : JSON.stringify(v);
    ctx.output(text);
    return { changed: false, msg: text };
  },
});
