// The batched part of cloudstack-sysvmadm: routers (-r), networks (-n) and VPCs (-v), a background subshell
// each, in batches of -t polled every 10 s; before PR #12355 (4.20.3) a last, partial batch is never waited
// out (apache/cloudstack#12067). Output and log lines as in setup/bindir/cloud-sysvmadm.in.

import { jobIdOf } from './sysvmadm-opts.js';
import type { Sysvmadm } from './sysvmadm.js';

/**
 * The script's loop: a subshell per item; when `min(maxthreads, N)` are outstanding, poll every 10 s
 * until all of them are gone. Returns when the loop and its wait are over (never, in the hang).
 */
async function inBatches(s: Sysvmadm, items: readonly string[], task: (id: string, signal: AbortSignal) => Promise<void>): Promise<void> {
  const signal = s.ctx.signal;
  let pids: number[] = [];
  let unfinished = 0;
  for (const d of items) {
    pids.push(s.subshell((sub) => task(d, sub)));
    unfinished = pids.length;
    if (s.maxthreads > items.length) s.maxthreads = items.length;
    if (pids.length >= s.maxthreads) {
      while (unfinished > 0) {
        await s.sleep(10_000, signal);
        if (pids.every((p) => !s.isRunning(p))) unfinished = 0;
      }
      pids = [];
    }
  }
  if (items.length === 0 || unfinished === 0) return;
  if (s.profile.partialBatchHang) {
    s.core.emit({ kind: 'ms', time: s.core.time.now(), message: 'cloudstack-sysvmadm waits forever for its last batch (known defect, apache/cloudstack#12067)' });
    for (;;) await s.sleep(10_000, signal);
  }
  // PR #12355: the last batch is waited out like the others
  while (pids.some((p) => s.isRunning(p))) await s.sleep(10_000, signal);
}

export async function routers(s: Sysvmadm): Promise<void> {
  const zi = `${s.o.inzone}${s.o.withids}`;
  const ids = s.vmIds('DomainRouter', 'vm_instance');
  s.io.out(`\nStopping and starting ${ids.length} running routing vm(s)${zi}... \n`);
  s.log(`Stopping and starting ${ids.length} running routing vm(s)${zi}... `);
  await inBatches(s, ids, (id, signal) => rebootRouter(s, id, signal));
  if (ids.length === 0) s.log('No running router vms found \n');
  else {
    s.io.out(`Done restarting router(s)${zi}. \n\n`);
    s.log(`Done restarting router(s)${zi}. \n`);
  }
}

/**
 * What every subshell starts with: submit the job (no job id: log it and print "2", as the script's
 * subshells do) and poll it to its end. Undefined when nothing was submitted.
 */
async function submitAndPoll(s: Sysvmadm, command: string, id: string, noun: string, signal: AbortSignal): Promise<{ jobId: string; ok: boolean } | undefined> {
  const jobId = jobIdOf(await s.curl(`command=${command}&id=${id}&response=json`, signal));
  if (jobId === '') {
    s.log(`ERROR: Failed to restart ${noun} with id ${id}; unable to submit the job`);
    s.io.out('2\n');
    return undefined;
  }
  return { jobId, ok: (await s.pollJob(jobId, signal)) === '1' };
}

async function rebootRouter(s: Sysvmadm, id: string, signal: AbortSignal): Promise<void> {
  s.log(`INFO: Restarting router with id ${id}`);
  const r = await submitAndPoll(s, 'rebootRouter', id, 'domainRouter', signal);
  if (!r) return;
  if (!r.ok) {
    s.io.out(`ERROR: Failed to restart domainRouter with id ${id} \n\n`);
    s.log(`ERROR: Failed to restart domainRouter with id ${id}; jobId ${r.jobId}`);
  } else s.log(`INFO: Successfully restarted domainRouter with id ${id}; jobId ${r.jobId}`);
}

export async function restartNetworks(s: Sysvmadm): Promise<void> {
  const w = s.core.world;
  const zone = s.zoneFilter();
  const ids = s.query(() => typeof zone === 'object' ? zone
    : { rows: w.networks.filter((n) => zone === undefined || w.zone(n.zoneId)?.internalId === zone).map((n) => String(n.internalId)) });
  s.io.out(`\nRestarting ${ids.length} networks${s.o.inzone}... \n`);
  s.log(`Restarting ${ids.length} networks${s.o.inzone}... `);
  await inBatches(s, ids, async (id, signal) => {
    const r = await submitAndPoll(s, 'restartNetwork', id, 'network', signal);
    if (!r) return;
    if (!r.ok) s.log(`ERROR: Failed to restart network with id ${id}; jobId ${r.jobId}`);
    else s.log(`INFO: Successfully restarted network with id ${id}; jobId ${r.jobId}`);
  });
  if (ids.length === 0) s.log('No networks found \n');
  else {
    s.io.out(`Done restarting networks${s.o.inzone}. \n\n`);
    s.log(`Done restarting networks${s.o.inzone}. \n`);
  }
}

export async function restartVpcs(s: Sysvmadm): Promise<void> {
  const w = s.core.world;
  // The vpc table has zone_id, not data_center_id: -z makes this query fail.
  const ids = s.query(() => s.o.zone ? { error: "ERROR 1054 (42S22) at line 1: Unknown column 'data_center_id' in 'where clause'" }
    : { rows: w.vpcs.map((v) => (s.profile.idColumn === 'id' ? String(v.internalId) : v.id)) });
  s.io.out(`\nRestarting ${ids.length} vpcs... \n`);
  s.log(`Restarting ${ids.length} vpcs... `);
  await inBatches(s, ids, async (id, signal) => {
    s.io.out(`INFO: Restarting vpc with id ${id}\n`);
    s.log(`INFO: Restarting vpc with id ${id}`);
    const r = await submitAndPoll(s, 'restartVPC', id, 'vpc', signal);
    if (!r) return;
    if (!r.ok) {
      s.io.out(`ERROR: Failed to restart vpc with id ${id} \n\n`);
      s.log(`ERROR: Failed to restart vpc with id ${id}; jobId ${r.jobId}`);
    } else {
      s.io.out(`INFO: Successfully restarted vpc with id ${id} \n\n`);
      s.log(`INFO: Successfully restarted vpc with id ${id}; jobId ${r.jobId}`);
    }
  });
  if (ids.length === 0) s.log('No vpcs found \n');
  else {
    s.io.out(`Done restarting vpcs${s.o.inzone}. \n\n`);
    s.log(`Done restarting vpcs${s.o.inzone}. \n`);
  }
}
