// `set`: set variables on the host (like registered results: they outrank play and inventory vars).

import { defineFreeformStep } from '../types.js';

export const setStep = defineFreeformStep({
  name: 'set',
  summary: 'Set variables for the rest of the run on this host',
  description: 'Each key becomes a variable of the host for the rest of the run, above play and inventory variables '
    + '(like a registered result); values may be templates (a lone `{{x}}` keeps its type).',
  result: { '<name>': ['any', 'each variable set, under its own name'] },
  effect: 'none',
  async apply(_ctx, args) {
    return { changed: false, vars: args, result: { ...args } };
  },
});
