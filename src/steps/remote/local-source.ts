// Reading a step's local source file (`copy`'s and `template`'s `src`): relative paths are resolved
// against the playbook's directory, so a playbook works from any working directory.

import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { StepFailedError, type StepContext } from '../types.js';

export function sourcePath(ctx: StepContext, src: string): string {
  if (isAbsolute(src)) return src;
  const pb = ctx.vars['playbook'];
  const file = pb !== null && typeof pb === 'object' ? (pb as { file?: unknown }).file : undefined;
  return resolve(typeof file === 'string' ? dirname(file) : '.', src);
}

export async function readSource(ctx: StepContext, src: string): Promise<{ path: string; name: string; data: Buffer }> {
  const path = sourcePath(ctx, src);
  try {
    return { path, name: basename(path), data: await readFile(path) };
  } catch (err) {
    throw new StepFailedError(`cannot read src ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
