// `flush_handlers`: run the handlers notified so far now, instead of at the end of the play.
// The executor implements it; this definition gives it a name, docs and validation.

import { defineStep } from '../types.js';

export const flushHandlersStep = defineStep<{ now?: boolean }>({
  name: 'flush_handlers',
  summary: 'Run notified handlers now (write `flush_handlers: true`)',
  args: { now: { type: 'boolean', description: 'always true' } },
  primary: 'now',
  effect: 'none',
  async apply() {
    return { changed: false };
  },
});
