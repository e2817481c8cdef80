// Maintenance window: the API restart (router reboots) and the live patch (network restarts) on 1,000 routers
// in 500 redundant pairs, with the lab's long-tail durations (durations_spread 0.25), run in-process with the
// bundled playbooks as shipped (5 in flight). Lab and runner share one virtual clock: the lab's jobs, the
// runner's waits and the client's job polling (its own policy) all run on it, and it moves to the next timer
// only once no API call is in flight, so the window is measured as a real cloud would see it, not as a
// compressed replay in which every round trip is multiplied by the speed-up. Compared with the lower bound for
// that concurrency (the drawn job durations over the slots, or the longest redundant chain) and, beside it,
// the same drawn durations in cloudstack-sysvmadm's schedule: batches of -t, each waiting for its slowest member.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const ROUTERS = 1000;
const NETWORKS = 500;
const SPREAD = 0.25;
const CONCURRENCY = 5;

const JOBS = [
  {
    label: 'API restart (rebootRouter)', playbook: 'systemvm-restart-api', vars: { restart_systemvms: false },
    step: 'Reboot routers in a rolling window (redundant pairs BACKUP first, then PRIMARY), then check Running and requiresupgrade=false',
  },
  {
    label: 'live patch (restartNetwork livepatch)', playbook: 'systemvm-live-patch', vars: { patch_systemvms: false, check_services: false },
    step: 'Live-patch routers (restartNetwork/restartVPC livepatch=true cleanup=false), a rolling window, redundant pairs one at a time',
  },
];

/** A LabClock whose time moves only when the driver says so, to the next timer due. */
class VirtualClock {
  constructor(start) {
    this.current = start;
    this.timers = new Map();
    this.next = 1;
    this.changes = 0;
  }
  now() { return this.current; }
  setTimer(ms, fn) {
    const id = this.next++;
    this.timers.set(id, { due: this.current + Math.max(0, ms), fn });
    this.changes++;
    return { id };
  }
  clearTimer(h) { this.timers.delete(h.id); }
  sleep(ms, signal) {
    return new Promise((resolve) => {
      const h = this.setTimer(ms, resolve);
      signal?.addEventListener('abort', () => {
        this.clearTimer(h);
        resolve();
      }, { once: true });
    });
  }
  /** Moves to the earliest due time and fires every timer due then; false when none is left. */
  fireNext() {
    let due = Infinity;
    for (const t of this.timers.values()) due = Math.min(due, t.due);
    if (due === Infinity) return false;
    this.current = Math.max(this.current, due);
    for (const [id, t] of [...this.timers]) {
      if (t.due > this.current) continue;
      this.timers.delete(id);
      t.fn();
    }
    return true;
  }
}

const turn = () => new Promise((r) => setImmediate(r));

/** Drives the clock while `done` is pending: a timer fires only when nothing is in flight and nothing moved for a few turns. */
async function drive(clock, inFlight, done) {
  let finished = false;
  done.finally(() => (finished = true));
  while (!finished) {
    let seen = -1;
    let quiet = 0;
    while (!finished && quiet < 3) {
      await turn();
      const now = clock.changes + inFlight.started;
      if (inFlight.count === 0 && now === seen) quiet++;
      else quiet = 0;
      seen = now;
      if (inFlight.count > 0) await new Promise((r) => setTimeout(r, 0));
    }
    if (finished) break;
    // nothing due and nothing in flight: something waits on real I/O (an SSH connection, a TCP probe)
    if (!clock.fireNext()) await new Promise((r) => setTimeout(r, 1));
  }
}

/** Each unit's drawn duration in lab ms, in the lab's order, and each redundant chain's total. */
function drawnUnits(lab, playbook, draws, D) {
  const w = lab.world;
  if (playbook === 'systemvm-live-patch') {
    const units = w.networks.map((n) => draws.draw(D.restartNetwork, `restartNetwork:net:${n.internalId}`));
    return { units, chains: units };
  }
  // a reboot is the router's stop then its start, each drawn under its own key; a pair is one chain
  const byNet = new Map();
  const units = w.routers.map((r) => {
    const d = draws.draw(D.stop, `stop:${r.internalId}`) + draws.draw(D.start, `start:${r.internalId}`);
    byNet.set(r.networkIds[0], (byNet.get(r.networkIds[0]) ?? 0) + d);
    return d;
  });
  return { units, chains: [...byNet.values()] };
}

/** cloudstack-sysvmadm -t N: batches of N in order, each as long as its slowest member. */
function batchBarrier(units, slots) {
  let t = 0;
  for (let i = 0; i < units.length; i += slots) t += Math.max(...units.slice(i, i + slots));
  return t;
}

async function runOnVirtualTime(ROOT, lab, clock, job) {
  const imp = (p) => import(join(ROOT, 'dist/src', p));
  const { runPlaybook } = await imp('engine/executor.js');
  const { loadPlaybook } = await imp('loader/load-playbook.js');
  const { loadInventory } = await imp('inventory/load-inventory.js');
  const { SecretRegistry } = await imp('secrets/masker.js');
  const { stepRegistry } = await imp('steps/registry.js');
  const { DefaultRunServices } = await imp('runtime/services.js');
  const { createCloudstackFactory } = await imp('runtime/cloudstack-factory.js');
  const home = mkdtempSync(join(os.tmpdir(), 'stackplay-bench-window-'));
  const secrets = new SecretRegistry();
  const inv = loadInventory(lab.inventoryPath, readFileSync(lab.inventoryPath, 'utf8'), { secrets, resolveSecrets: true });
  const file = join(ROOT, 'playbooks/cloudstack', `${job.playbook}.yml`);
  const pb = loadPlaybook(file, readFileSync(file, 'utf8'), { steps: stepRegistry });
  if (!inv.ok || !pb.ok) throw new Error(`${job.playbook}: ${JSON.stringify(inv.ok ? pb.problems.items : inv.problems.items)}`);
  const inFlight = { count: 0, started: 0 };
  const services = new DefaultRunServices({
    inventory: inv.inventory, secrets, sshConfigPath: null, userKnownHosts: join(home, 'known_hosts'), homeDir: home,
    // the client's own poll policy; its waits, deadlines and signature times on the virtual clock
    cloudstackFactory: createCloudstackFactory({
      clock: () => clock.now(), sleep: (ms) => clock.sleep(ms),
      onEvent: (e) => {
        if (e.type === 'request') {
          inFlight.count++;
          inFlight.started++;
        } else if (e.type === 'response' || e.type === 'retry') inFlight.count--;
      },
    }),
  });
  let started;
  let ended;
  let end;
  try {
    const t0 = performance.now();
    const run = runPlaybook({
      runId: 'bench', playbook: pb.playbook, inventory: inv.inventory, steps: stepRegistry,
      extraVars: { ...job.vars, on_exposed: 'warn' }, dryRun: false, forks: 5, secrets, services,
      clock: { now: () => clock.now(), sleep: (ms, signal) => clock.sleep(ms, signal) },
      sink: (e) => {
        if (e.name !== job.step || e.host !== 'mgmt1') return;
        if (e.type === 'step-start') started = clock.now();
        if (e.type === 'step-end') {
          ended = clock.now();
          end = e;
        }
      },
    });
    await drive(clock, inFlight, run);
    const summary = await run;
    if (summary.status !== 'ok' || started === undefined || ended === undefined) throw new Error(`${job.playbook} ended ${summary.status}: ${end?.msg ?? 'the routers step did not run'}`);
    return { window: ended - started, realMs: performance.now() - t0 };
  } finally {
    await services.close();
    rmSync(home, { recursive: true, force: true });
  }
}

export async function windowBenchmarks(ROOT, rows) {
  const { startLab } = await import(join(ROOT, 'dist/src/lab/index.js'));
  const { DEFAULT_DURATIONS, DurationDraws } = await import(join(ROOT, 'dist/src/lab/jobs/durations.js'));
  for (const job of JOBS) {
    const dir = mkdtempSync(join(os.tmpdir(), 'stackplay-bench-window-lab-'));
    const clock = new VirtualClock(Date.now());
    const lab = await startLab({
      address: '127.0.0.96', speed: 1, clock, stateDir: join(dir, 'lab'),
      config: { bench: { routers: ROUTERS, networks: NETWORKS }, durations_spread: SPREAD },
    });
    try {
      const { units, chains } = drawnUnits(lab, job.playbook, new DurationDraws(lab.world.seed, SPREAD), DEFAULT_DURATIONS);
      const { window, realMs } = await runOnVirtualTime(ROOT, lab, clock, job);
      const bound = Math.max(units.reduce((a, b) => a + b, 0) / CONCURRENCY, ...chains);
      const barrier = batchBarrier(units, CONCURRENCY);
      const h = (ms) => `${(ms / 3_600_000).toFixed(2)} h`;
      rows.push({
        name: `maintenance window: ${job.label}, ${ROUTERS} routers in ${NETWORKS} redundant pairs, ${units.length} jobs, ${CONCURRENCY} in flight, long-tail durations (lab clock; ${(realMs / 1000).toFixed(0)} s to simulate)`,
        value: `${h(window)} (lower bound ${h(bound)})`,
        ratio: `${(window / bound).toFixed(3)}x bound; sysvmadm batches of ${CONCURRENCY}: ${h(barrier)} = ${(barrier / bound).toFixed(2)}x bound`,
        target: '≤ 1.1x bound',
        ok: window / bound <= 1.1 ? 'yes' : 'NO',
      });
    } finally {
      await lab.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
