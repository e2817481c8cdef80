// Scale: the bundled upgrade playbooks against a lab with 1,000 routers in 200 networks at a high speed
// factor, with the plain renderer and with the task list drawn into a pseudo-terminal (script(1)).
// Reports wall time against the lab's own minimum (simulated job durations / concurrency), peak memory
// (RSS) and CPU of the runner; the difference in CPU between the two renderers is the cost of drawing.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

const ROUTERS = 1000;
const NETWORKS = 200;
const SPEED = Number(process.env.BENCH_SCALE_SPEED ?? 500);

function run(cmd, args, env) {
  return new Promise((resolve) => {
    const c = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d) => (out += d.toString()));
    c.stderr.on('data', (d) => (err += d.toString()));
    c.on('exit', (code) => resolve({ code, out, err }));
  });
}

/** Lab minimum in real ms: what the simulated jobs need at the playbook's concurrency, divided by speed. */
function labMinimum(playbook, d) {
  if (playbook.endsWith('systemvm-restart')) {
    // sysvmadm: SSVM then CPVM stop+start one by one, routers rebooted (stop+start) in batches of 10; two MS restarts
    return (2 * (d.stop + d.start) + Math.ceil(ROUTERS / 10) * (d.stop + d.start) + 2 * d.restart) / SPEED;
  }
  // live patch: SSVM and CPVM patched one at a time, networks restarted with livepatch 5 at a time
  return (2 * d.patch + Math.ceil(NETWORKS / 5) * d.restartNetwork) / SPEED;
}

export async function scaleBenchmarks(ROOT, BIN, rows) {
  const { startLab } = await import(join(ROOT, 'dist/src/lab/index.js'));
  const { DEFAULT_DURATIONS } = await import(join(ROOT, 'dist/src/lab/jobs/durations.js'));
  for (const playbook of ['cloudstack/systemvm-restart', 'cloudstack/systemvm-live-patch']) {
    for (const renderer of ['plain', 'tasklist (pty)']) {
      const dir = mkdtempSync(join(os.tmpdir(), 'stackplay-bench-scale-'));
      const lab = await startLab({ address: '127.0.0.95', speed: SPEED, stateDir: join(dir, 'lab'), config: { bench: { routers: ROUTERS, networks: NETWORKS } } });
      try {
        const env = { ...process.env, HOME: dir, SSH_AUTH_SOCK: '', NO_COLOR: renderer === 'plain' ? '1' : '', COLUMNS: '120', LINES: '40', TERM: 'xterm-256color', CI: '' };
        const runner = [process.execPath, BIN, 'run', playbook, '-i', lab.inventoryPath, '--journal-dir', join(dir, 'runs'), '-o', renderer === 'plain' ? 'plain' : 'tasklist'];
        const timed = ['/usr/bin/time', '-f', 'TIME %e %U %S %M', ...runner];
        const quote = (a) => `'${a.replace(/'/g, `'\\''`)}'`;
        const r = renderer === 'plain'
          ? await run(timed[0], timed.slice(1), env)
          // a sized terminal, as an operator's is (script(1) leaves the pty at 0 × 0)
          : await run('script', ['-qfec', `stty cols 120 rows 40; ${timed.map(quote).join(' ')}`, '/dev/null'], env);
        const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(r.err + r.out);
        if (r.code !== 0 || !m) throw new Error(`${playbook} (${renderer}) exited ${r.code}: ${(r.err || r.out).slice(-1500)}`);
        const [wall, user, sys, rssKb] = [Number(m[1]) * 1000, Number(m[2]), Number(m[3]), Number(m[4])];
        const min = labMinimum(playbook, DEFAULT_DURATIONS);
        rows.push({
          name: `${playbook}, ${ROUTERS} routers / ${NETWORKS} networks, ${renderer}`,
          value: `${(wall / 1000).toFixed(1)} s (lab min ${(min / 1000).toFixed(1)} s)`,
          ratio: `${(wall / min).toFixed(2)}x min; ${(rssKb / 1024).toFixed(0)} MB peak; CPU ${(user + sys).toFixed(1)} s; output ${(r.out.length / 1024).toFixed(0)} KiB`,
          target: '< 300 MB',
          ok: rssKb / 1024 < 300 ? 'yes' : 'NO',
        });
      } finally {
        await lab.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
}
