// One fixture per invalid-input case; each fixture's first line says the expected problem code,
// line and column (and a word that must appear in the message).

import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlaybook } from '../../src/loader/load-playbook.js';
import { stepRegistry } from '../../src/steps/registry.js';
import { FIXTURES } from '../support/paths.js';

const dir = join(FIXTURES, 'invalid');

describe('loader: invalid-input fixtures', () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yml')).sort()) {
    it(`reports ${file} at the right place`, () => {
      const text = readFileSync(join(dir, file), 'utf8');
      const m = /^# expect: (\S+) (\d+):(\d+)(?: (\S+))?/.exec(text);
      expect(m, 'fixture header').to.not.equal(null);
      const [, code, line, col, word] = m!;
      const r = loadPlaybook(file, text, { steps: stepRegistry });
      expect(r.ok).to.equal(false);
      if (r.ok) return;
      const found = r.problems.items.find((p) => p.code === code);
      expect(found, `problem ${code} in ${JSON.stringify(r.problems.items)}`).to.not.equal(undefined);
      expect(found!.pos, 'position').to.include({ line: Number(line), col: Number(col) });
      if (word) expect(found!.message).to.include(word);
    });
  }
});
