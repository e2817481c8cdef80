// `cloudstack.sysvmadm_check`: what the cloudstack-sysvmadm of this release would do here, read before
// anything changes (docs/cloudstack-facts.md §8.5, §8.6): whether it can work against its server at all
// (4.19.0/4.19.1 and 4.21+ misread every job), and on releases whose last partial batch of routers
// hangs, the `-t` the restart would choose for the routers running now.

import { arg } from '../schema/arg.js';
import { defineStep, StepFailedError } from '../types.js';
import { clientFor } from './common.js';
import { listRouters } from './queries.js';
import { routerThreads } from './releases.js';
import { releaseOf, SYSVMADM_ARGS } from './sysvmadm-step.js';

export const sysvmadmCheckStep = defineStep({
  name: 'cloudstack.sysvmadm_check',
  summary: "Can this release's cloudstack-sysvmadm work here, and which -t would avoid its partial-batch hang (a read)",
  description:
    'Registers version, usable, problem, way_out, partial_batch_hang, port_source, routers_running (Running routers, ' +
    'project routers included, as the script selects them) and threads (the -t cloudstack.sysvmadm would choose now). ' +
    'With fail: true a release whose script cannot work fails the step.',
  result: {
    version: ['string', "the management server's release"],
    usable: ['boolean', "whether this release's cloudstack-sysvmadm can work"],
    problem: ['string or null', 'why it cannot'],
    way_out: ['string', 'what to do instead'],
    partial_batch_hang: ['boolean', 'whether the release hangs after a partial last batch of routers'],
    port_source: ['string', '`database` (integration.api.port) or the fixed 8096'],
    routers_running: ['integer', 'routers Running now'],
    threads: ['integer', 'the -t chosen'],
    partial_last_batch: ['boolean', 'whether that -t still leaves a partial last batch'],
  },
  args: {
    threads: SYSVMADM_ARGS.threads,
    max_threads: SYSVMADM_ARGS.max_threads,
    fail: arg.bool('fail the step when the script cannot work on this release').default(true),
  },
  effect: 'read',
  runsOn: 'runner',
  async apply(ctx, args) {
    const rel = await releaseOf(ctx);
    const { client } = await clientFor(ctx, undefined);
    const running = (await listRouters(client, { state: 'Running' })).length;
    const choice = routerThreads(running, args.threads, args.max_threads, rel.partialBatchHang);
    const result = {
      version: rel.version, usable: rel.broken === undefined, problem: rel.broken ?? null, way_out: rel.wayOut,
      partial_batch_hang: rel.partialBatchHang, port_source: rel.port, routers_running: running,
      threads: choice.threads, partial_last_batch: choice.partialLastBatch,
    };
    if (rel.broken !== undefined) {
      const text = `cloudstack-sysvmadm cannot be used on ${rel.version}: ${rel.broken}; ${rel.wayOut}`;
      if (args.fail) throw new StepFailedError(text, result);
      return { changed: false, msg: text, result };
    }
    const batch = !rel.partialBatchHang
      ? `its last partial batch is waited out (PR #12355), -t ${args.threads}`
      : choice.partialLastBatch
        ? `a partial last batch would hang it (apache/cloudstack#12067): ${running} routers do not split into batches of at most ${args.max_threads}, so the run ends it after its last router`
        : `a partial last batch would hang it (apache/cloudstack#12067): -t ${choice.threads} for ${running} running router(s)${choice.threads !== args.threads ? ` instead of ${args.threads}` : ''}`;
    return { changed: false, msg: `cloudstack-sysvmadm of ${rel.version} works here (port from ${rel.port === 'database' ? 'integration.api.port' : '8096, fixed'}); ${batch}`, result };
  },
});
