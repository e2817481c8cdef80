// A request's playbook, inventory and variables, loaded and checked (every problem at its position)
// with the environment's step types and secret registry.

import { loadInput, type LoadedInput } from './load-input.js';
import type { AppEnvironment, InputRequest } from './types.js';

/** `forRun`: secrets from the environment and files are read (validation only checks their shape). */
export function loadRequest(request: InputRequest, env: AppEnvironment, forRun: boolean): LoadedInput {
  const pb = request.playbook;
  const inv = request.inventory;
  return loadInput({
    playbookRef: typeof pb === 'string' ? pb : pb.file,
    ...(typeof pb === 'string' ? {} : { playbookText: pb.text }),
    ...(inv === undefined ? {} : typeof inv === 'string' ? { inventoryPath: inv } : { inventoryPath: inv.file, inventoryText: inv.text }),
    extra: request.extraArgs ?? [],
    ...(request.extraVars ? { extraVars: request.extraVars } : {}),
    forRun,
    ...(env.secrets ? { secrets: env.secrets } : {}),
    ...(env.steps ? { steps: env.steps } : {}),
  }, env.sources ?? new Map());
}
