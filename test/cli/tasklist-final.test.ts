// The task list's last screen, in a real pseudo-terminal: what stays on screen when the run ends must
// tell the truth at a glance — failures marked where they happened (never a green block around a failed
// step, never a green play that did not run), `log` output and handler reports, the dry-run plan, and
// a summary above the recap with each failure (failed units by name) and each warning.

import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab } from '../../src/lab/index.js';
import { BIN, REPO_ROOT } from '../support/paths.js';
import { requireTool } from '../support/require-tool.js';
import { inPty, lastScreen, SCRIPT } from './pty.js';

/** Only this file's labs use this address. */
const ADDRESS = '127.0.0.83';

describe('task list: the last screen', function () {
  this.timeout(120_000);
  let dir: string;
  before(function () {
    requireTool(this, existsSync(SCRIPT), 'script(1) from bsdutils');
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'stackplay-tty-final-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function screenOf(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; screen: string }> {
    const run = inPty([process.execPath, BIN, ...args, '--journal-dir', join(dir, 'runs')], { cwd: REPO_ROOT, dir, env });
    const { status } = await run.exited;
    return { status, screen: lastScreen(run.raw()) };
  }

  it('a failed step marks its block and play failed, a play that never ran is not green, and the summary names the failure', async () => {
    const pb = join(dir, 'pb.yml');
    writeFileSync(pb, ['name: t', 'plays:',
      '  - name: First play', '    hosts: localhost', '    steps:', '      - {name: Fine step, log: fine}',
      '      - name: A block', '        block:', '          - {name: Broken step, fail: the disk is full}', '          - {name: Never, log: x}',
      '  - name: Second play', '    hosts: localhost', '    steps:', '      - {name: Never either, log: y}'].join('\n'));
    const { status, screen } = await screenOf(['run', pb]);
    expect(status, screen).to.equal(1);
    expect(screen).to.match(/✖ First play/);
    expect(screen).to.match(/✖ A block/);
    expect(screen).to.match(/✖ Broken step: the disk is full/);
    expect(screen).to.match(/◌ Never \[not run\]/);
    expect(screen).to.match(/◌ Second play \[not run\]/);
    expect(screen).to.not.match(/✔ (A block|Second play)/);
    // the summary comes before the recap
    expect(screen).to.match(/FAILED \(1 failure\)\n\s+✖ localhost\s+Broken step: the disk is full\n[\s\S]*RECAP/);
  });

  it('log output and handler reports of finished steps stay readable', async () => {
    const { status, screen } = await screenOf(['run', 'playbooks/examples/hello.yml']);
    expect(status, screen).to.equal(0);
    for (const text of ['Say hello: hello from localhost', 'target beta (BETA)', 'Report: handlers run once at the end of the play', 'Close it again: closing the door that was open']) {
      expect(screen, text).to.include(text);
    }
    // a failure the playbook rescued is shown, and so marked
    expect(screen).to.match(/! A block that fails and is rescued \[rescued\]/);
  });

  it('a dry run leaves its plan on screen: what each write step would do, and the unknowns', async () => {
    const { status, screen } = await screenOf(['run', 'playbooks/examples/hello.yml', '--dry-run']);
    expect(status, screen).to.equal(0);
    expect(screen).to.include('Look at the machine [would change]: would run on the runner: uname -sr');
    expect(screen).to.match(/\? Only on Linux: condition unknown in a dry run/);
    expect(screen).to.include('RECAP (dry run: nothing was changed)');
  });

  it('warnings raised during the run are listed above the recap (the integration port reachable from the runner)', async () => {
    const { status, screen } = await screenOf(['run', 'cloudstack/systemvm-restart', '--lab', '--lab-speed', '1000'], { HOME: dir, SSH_AUTH_SOCK: '' });
    expect(status, screen).to.equal(0);
    // (the default world's tenant jobs may add warnings: jobs a management-server restart fails)
    expect(screen).to.match(/WARNINGS \(\d+\)\n[\s\S]*! mgmt1\s+the unauthenticated integration port of mgmt1 is reachable directly from this runner/);
    expect(screen.indexOf('WARNINGS')).to.be.below(screen.indexOf('RECAP'));
  });

  it('a router whose reboot fails is named with its error on the last screen', async () => {
    const lab = await startLab({ address: ADDRESS, speed: 1000, stateDir: join(dir, 'lab') });
    try {
      // a router the playbook reboots (Running, requiring an upgrade), whatever the lab's world holds
      const router = String(lab.state().routers.find((r) => r['state'] === 'Running' && r['requiresUpgrade'] === true)!['name']);
      lab.setFaults({ failJob: [{ vm: router, command: 'rebootRouter', errorcode: 530, errortext: 'Failed to reboot router' }] });
      const { status, screen } = await screenOf(['run', 'cloudstack/systemvm-restart-api', '-i', lab.inventoryPath], { HOME: dir, SSH_AUTH_SOCK: '' });
      expect(status, screen).to.equal(1);
      const summary = screen.slice(screen.indexOf('FAILED'), screen.indexOf('RECAP'));
      expect(summary, screen).to.match(/mgmt1\s+Reboot routers in a rolling window[^\n]*\(ignored\)|! ignored mgmt1\s+Reboot routers in a rolling window/);
      expect(summary).to.match(new RegExp(`✖ router ${router}[^\\n]*: [^\\n]*530[^\\n]*Failed to reboot router`));
      // and in the tree, at its place
      const tree = screen.slice(0, screen.indexOf('FAILED'));
      expect(tree).to.match(new RegExp(`Reboot routers in a rolling window[^\\n]*\\n(\\s+›[^\\n]*\\n)*\\s+› ✖ router ${router}`));
    } finally {
      await lab.stop();
    }
  });
});
