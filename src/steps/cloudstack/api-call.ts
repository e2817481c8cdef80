// `cloudstack`: one API call. Reads (list*/get*/query*/find*, the server's own rule, docs/cloudstack-facts.md §1.2)
// run for real in a dry run; anything else is shown with its parameters and not sent. Async commands
// are waited for; lists register { count, items } with count 0 when the server omits it (§1.5).

import { registerCredentials } from '../../secrets/credentials.js';
import { isReadCommand } from '../../cloudstack/wire.js';
import type { CloudStackClient } from '../../cloudstack/types.js';
import { isObject, toList } from '../../cloudstack/response.js';
import { formatDuration } from '../../util/durations.js';
import { isUnknown } from '../../expr/unknown.js';
import { arg } from '../schema/arg.js';
import { allKnown, firstUnknown, type ArgsOf } from '../schema/schema.js';
import { defineStep, StepFailedError, type StepContext, type StepOutcome } from '../types.js';
import { clientFor, describeParams, HOST_ARG, MODE_ARG, toParams } from './common.js';
import { submitOrReattach, waitJob } from './jobs.js';

const API_CALL_ARGS = {
  command: arg.string('API command name, e.g. listSystemVms (case-sensitive)').required(),
  params: arg.map(arg.any(), 'API parameters; lists are sent comma-separated'),
  host: HOST_ARG,
  mode: MODE_ARG,
  async: arg.oneOf(['auto', 'true', 'false'], 'auto: wait when the answer has a jobid; true: must be async; false: do not wait').default('auto'),
  timeout: arg.duration('how long to wait for an async job (default 30m)'),
};
type ApiCallArgs = ArgsOf<typeof API_CALL_ARGS>;

const WAIT_MODE = { auto: 'auto', true: 'wait', false: 'nowait' } as const;
const DEFAULT_JOB_TIMEOUT_MS = 30 * 60_000;

function isListResponse(command: string, r: Record<string, unknown>): boolean {
  if (!/^list/i.test(command)) return false;
  if (Object.keys(r).length === 0 || 'count' in r) return true;
  return Object.values(r).filter(Array.isArray).length === 1;
}

async function call(ctx: StepContext, args: ApiCallArgs, client: CloudStackClient, name: string): Promise<StepOutcome> {
  const params = toParams(args.params);
  const mode = WAIT_MODE[args.async];
  const read = isReadCommand(args.command);
  const timeoutMs = args.timeout ?? DEFAULT_JOB_TIMEOUT_MS;
  const what = `${args.command} on ${name}`;
  const s = await submitOrReattach(ctx, client, params, { command: args.command, timeoutMs, what, onProgress: (m) => ctx.progress(m), wait: mode !== 'nowait' });
  if (s.kind === 'job') {
    registerCredentials(ctx.secrets, s.result);
    const msg = s.resumed ? `${what}: job ${s.jobid} (submitted before the interruption) succeeded` : `${what}: job ${s.jobid} succeeded`;
    return { changed: true, msg, result: { ...s.result, jobid: s.jobid } };
  }
  const response = s.response;
  registerCredentials(ctx.secrets, response);
  if (s.kind === 'submitted') return { changed: true, msg: `${what}: job ${s.jobid} submitted (not waited for)`, result: response };
  if (mode === 'wait') throw new StepFailedError(`${what} returned no jobid: it is not an asynchronous command (use async: auto)`, response);
  const jobs = Array.isArray(response['asyncjobs']) ? response['asyncjobs'].filter(isObject) : [];
  if (jobs.length > 0 && mode === 'auto' && !read) return waitListedJobs(ctx, client, args.command, name, response, jobs, timeoutMs);
  if (isListResponse(args.command, response)) {
    const first = toList(response);
    // Without page= the server returns one page (default.page.size); read the rest unless paging was asked for.
    const paged = params['page'] !== undefined || params['pagesize'] !== undefined;
    const all = !paged && first.items.length < first.count ? await client.listAll(args.command, params) : first;
    registerCredentials(ctx.secrets, all.items);
    return { changed: !read, msg: `${what}: ${all.count} item(s)`, result: { count: all.count, items: all.items } };
  }
  return { changed: !read, result: response };
}

/** upgradeRouterTemplate and friends answer synchronously with a list of job ids: wait for each. */
async function waitListedJobs(ctx: StepContext, client: CloudStackClient, command: string, name: string, response: Record<string, unknown>,
  jobs: Record<string, unknown>[], timeoutMs: number): Promise<StepOutcome> {
  const results: Record<string, unknown>[] = [];
  const failures: string[] = [];
  for (const [i, j] of jobs.entries()) {
    const jobid = String(j['jobid'] ?? '');
    try {
      const r = await waitJob(ctx, client, jobid, { command, timeoutMs, what: `${command} on ${name}, job ${i + 1}/${jobs.length}`, onProgress: (m) => ctx.progress(m) });
      results.push({ jobid, status: 'succeeded', result: r });
    } catch (err) {
      failures.push(`job ${jobid}: ${(err as Error).message}`);
      results.push({ jobid, status: 'failed', error: (err as Error).message });
    }
  }
  const result = { ...response, count: jobs.length, jobs: results };
  if (failures.length > 0) throw new StepFailedError(`${command} on ${name}: ${failures.length} of ${jobs.length} job(s) failed: ${failures.join('; ')}`, result);
  return { changed: true, msg: `${command} on ${name}: ${jobs.length} job(s) succeeded`, result };
}

export const cloudstackStep = defineStep({
  name: 'cloudstack',
  summary: 'Call one CloudStack API command (reads also run in a dry run; async jobs are waited for; lists give count and items)',
  description: [
    'Every CloudStack step talks to the play\'s host unless it names another inventory host with `host:`; that host needs '
      + '`cloudstack:` settings in the inventory (`url`, `api_key` and `secret_key` or `username` and `password`, `integration_port`, '
      + 'and `via`: a host whose SSH connection carries every connection to the API and the integration port, so port 8096 never has '
      + 'to be opened to the runner; see docs/dsl.md). `mode: integration` uses the unauthenticated integration port instead of keys. '
      + 'One client per host and mode per run; keys, passwords, signatures and session keys are masked in every output.',
    '',
    'Reads (`list*`, `get*`, `query*`, `find*`, [cloudstack-facts.md §1.2](cloudstack-facts.md)) run for real in a dry run; other '
      + 'commands are shown with their parameters and not sent. Lists are read to the end (`count` is 0 when the server omits it, '
      + '§1.5) unless `page` or `pagesize` is given. An async command is waited for (progress shows the job id and the time); a '
      + 'synchronous answer carrying `asyncjobs` (upgradeRouterTemplate) is waited for job by job. Failures say `HTTP 401 … unknown '
      + 'command or bad credentials` (also an unknown command on the API port, §1.1, and an expired v3 signature), `HTTP 431 …` with '
      + 'CloudStack\'s text, `job … failed (jobresultcode 530): …`, or `job … was lost in a management-server restart`.',
    '',
    '```yaml',
    '- name: routers that still need an upgrade',
    '  cloudstack: {command: listRouters, params: {listall: true, requiresupgrade: true}}',
    '  register: old',
    '```',
  ].join('\n'),
  result: {
    '<field>': ['any', 'the object under `<command>response` (for an async command, the job\'s `jobresult`)'],
    count: ['integer', 'lists: the number of items'],
    items: ['list', 'lists: every item, all pages read'],
    jobid: ['string', 'async commands: the job (with `async: false`, the only thing registered besides the answer)'],
    jobs: ['list', 'answers carrying `asyncjobs`: `{jobid, status, result}` per job'],
  },
  args: API_CALL_ARGS,
  primary: 'command',
  effect: 'write',
  runsOn: 'runner',
  describe: (args) => `call ${String(args.command)} (${isUnknown(args.params) ? 'parameters not known yet' : describeParams(args.params ?? {})})`,
  async check(ctx, args) {
    if (!allKnown(args)) {
      const u = firstUnknown(args)!;
      return { changed: true, plan: `would call ${String(args.command)}`, unknown: `${u.name} is unknown in a dry run: ${u.reason}` };
    }
    const { name, client } = await clientFor(ctx, args.host, args.mode);
    if (isReadCommand(args.command)) return call(ctx, args, client, name);
    const wait = WAIT_MODE[args.async] === 'nowait' ? '' : ', waiting for its job if it is asynchronous';
    const timeout = args.timeout !== undefined ? ` (up to ${formatDuration(args.timeout)})` : '';
    const plan = `would call ${args.command} on ${name}${args.mode === 'integration' ? ' (integration port)' : ''} with ${describeParams(args.params ?? {})}${wait}${timeout}`;
    return { changed: true, plan, unknown: `result of ${args.command} (not sent in a dry run)` };
  },
  async apply(ctx, args) {
    const { name, client } = await clientFor(ctx, args.host, args.mode);
    return call(ctx, args, client, name);
  },
});
