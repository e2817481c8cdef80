// Harnesses report a playbook or inventory the loader refused with every problem in the error's
// message, so a test that expects a load-time problem can look for its text.

import { InvalidInputError } from '../../src/diagnostics/problems.js';

export async function withProblemsShown<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof InvalidInputError) throw new Error(`${err.message}: ${JSON.stringify(err.problems)}`, { cause: err });
    throw err;
  }
}
