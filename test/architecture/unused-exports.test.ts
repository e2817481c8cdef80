// Exports nothing imports, in the runner's own stages (the application layer, the planner, the engine, the
// run's services, the renderers, the journal, the CLI, the transports, the CloudStack client, util): a name
// is exported because another module, a test, a benchmark or a script uses it. The package's API
// (src/app/index.ts), the CLI bundle's entry and the transports' and client's public faces count as used.

import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/paths.js';
import { unusedExports } from './unused-exports.js';

const STAGES = ['app', 'planner', 'engine', 'runtime', 'renderers', 'journal', 'cli', 'transports', 'cloudstack', 'util'];
const PUBLIC = ['src/app/index.ts', 'src/cli/main.ts', 'src/transports/ssh/index.ts', 'src/cloudstack/index.ts'];

describe('architecture: no unused exports in the runner stages', () => {
  it('the check sees an export nobody imports, and a use through a re-export and a dynamic import', () => {
    const root = mkdtempSync(join(tmpdir(), 'stackplay-exports-'));
    try {
      mkdirSync(join(root, 'src'));
      mkdirSync(join(root, 'test'));
      writeFileSync(join(root, 'src', 'a.ts'), 'export const used = 1;\nexport const unused = 2;\nexport function viaIndex(): void {}\nexport function lazy(): void {}\n');
      writeFileSync(join(root, 'src', 'index.ts'), "export { viaIndex } from './a.js';\n");
      writeFileSync(join(root, 'test', 't.ts'), "import { used } from '../src/a.js';\nconst { lazy } = await import('../src/a.js');\n");
      expect(unusedExports(root, 'src', ['test'], ['src/index.ts'])).to.deep.equal([{ file: join('src', 'a.ts'), name: 'unused' }]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('every export of app, planner, engine, runtime, renderers, journal, cli, transports, cloudstack and util is imported somewhere', function () {
    // parses every file of src/, test/, bench/ and scripts/: seconds on a loaded machine
    this.timeout(120_000);
    const unused = unusedExports(REPO_ROOT, 'src', ['test', 'bench', 'scripts', 'bin'], PUBLIC)
      .filter((u) => STAGES.includes(u.file.split(/[\\/]/)[1] ?? ''));
    expect(unused.map((u) => `${u.file}: ${u.name}`)).to.deep.equal([]);
  });
});
