// Every case of the invalid-input corpus (test/fixtures/invalid, see test/support/invalid-corpus.ts)
// loaded in-process as `validate` and `run` load it: the expected problem, at its file, line and
// column, with its word in the message; `# alone` cases report nothing else.

import { expect } from 'chai';
import { InvalidInputError, type Problem } from '../../src/diagnostics/problems.js';
import { loadInput } from '../../src/app/load-input.js';
import { SecretRegistry } from '../../src/secrets/masker.js';
import { corpusCases, prepareCase } from '../support/invalid-corpus.js';
import { REPO_ROOT } from '../support/paths.js';

function load(args: readonly string[], forRun: boolean): readonly Problem[] {
  const extra: string[] = [];
  let inventoryPath: string | undefined;
  let playbookRef: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-i') inventoryPath = args[++i];
    else if (args[i] === '-e') extra.push(args[++i]!);
    else playbookRef ??= args[i];
  }
  try {
    loadInput({ playbookRef: playbookRef!, ...(inventoryPath ? { inventoryPath } : {}), extra, forRun, secrets: new SecretRegistry() }, new Map());
  } catch (err) {
    if (err instanceof InvalidInputError) return err.problems;
    throw err;
  }
  return [];
}

describe('invalid-input corpus, loaded in-process', () => {
  const cwd = process.cwd();
  // the corpus names files relative to the repository root, as the CLI tests run it
  before(() => process.chdir(REPO_ROOT));
  after(() => process.chdir(cwd));

  for (const c of corpusCases()) {
    for (const forRun of c.onlyRun ? [true] : [false, true]) {
      it(`${c.file} (${forRun ? 'run' : 'validate'}): ${c.code} at ${c.line}:${c.col}`, async () => {
        const prepared = await prepareCase(c);
        try {
          const problems = load(prepared.args, forRun);
          const found = problems.find((p) => p.code === c.code);
          expect(found, `problem ${c.code} in ${JSON.stringify(problems)}`).to.not.equal(undefined);
          expect(found!.pos, 'position').to.include({ file: prepared.at, line: c.line, col: c.col });
          if (c.word) expect(found!.message).to.include(c.word);
          if (c.alone) expect(problems.map((p) => `${p.code}: ${p.message}`)).to.have.length(1);
        } finally {
          await prepared.cleanup();
        }
      });
    }
  }
});
