// `flush_handlers`: run the handlers notified so far now, instead of at the end of the play.
// The executor implements it; this definition gives it a name, docs and validation.

import { arg } from '../schema/arg.js';
import { defineStep } from '../types.js';

export const flushHandlersStep = defineStep({
  name: 'flush_handlers',
  summary: 'Run notified handlers now (write `flush_handlers: true`)',
  args: { now: arg.bool('always true') },
  primary: 'now',
  result: {},
  effect: 'none',
  async apply() {
    return { changed: false };
  },
});
