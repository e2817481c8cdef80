// The operator's answer to a `confirm` step: one line read from the terminal the run was started from.
// Without a terminal on standard input there is nobody to ask, and the step is told so (it means no).
// The task list shows the question on the step itself; plain and JSON output print it on stderr.

import { createInterface } from 'node:readline';
import type { Io } from './output.js';

export type Asker = (question: string, signal: AbortSignal) => Promise<string | null>;

export function terminalAsker(io: Io, printQuestion: boolean, stdin: NodeJS.ReadStream = process.stdin): Asker | undefined {
  if (stdin.isTTY !== true) return undefined;
  return (question, signal) => new Promise<string | null>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    if (printQuestion) io.err(io.errStyle.yellow(question));
    const rl = createInterface({ input: stdin, terminal: false });
    const done = (): void => {
      signal.removeEventListener('abort', onAbort);
      rl.close();
    };
    const onAbort = (): void => {
      reject(signal.reason);
      done();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    rl.once('line', (line) => {
      resolve(line); // before close(), whose 'close' event would answer null first
      done();
    });
    rl.once('close', () => {
      signal.removeEventListener('abort', onAbort);
      resolve(null); // end of input: nobody answers
    });
  });
}
