// The one place a run's services are wired: the SSH pool and its settings, CloudStack clients, the
// journal's record of submitted jobs, and the jobs a resumed run waits for instead of submitting again.

import type { Inventory } from '../inventory/types.js';
import { cloudstackFactory } from '../runtime/cloudstack-factory.js';
import { DefaultRunServices } from '../runtime/services.js';
import type { SecretRegistry } from '../secrets/masker.js';
import type { RunServices } from '../steps/types.js';
import type { AppEnvironment } from './types.js';

interface ServiceWiring {
  readonly acceptNewHostKeys?: boolean;
  /** Facts for the journal (async job ids as they are submitted). */
  readonly record?: RunServices['record'];
  /** Resume: jobs the interrupted run submitted, by key. */
  readonly priorJobs?: ReadonlyMap<string, string>;
}

export function openServices(inventory: Inventory, secrets: SecretRegistry, env: AppEnvironment, wiring: ServiceWiring = {}): RunServices {
  if (env.services) return env.services(inventory, secrets);
  const ssh = env.ssh ?? {};
  return new DefaultRunServices({
    inventory, secrets, cloudstackFactory: env.cloudstack ?? cloudstackFactory,
    ...(ssh.configPath !== undefined ? { sshConfigPath: ssh.configPath } : {}),
    ...(ssh.userKnownHosts !== undefined ? { userKnownHosts: ssh.userKnownHosts } : {}),
    ...(ssh.homeDir !== undefined ? { homeDir: ssh.homeDir } : {}),
    ...(wiring.acceptNewHostKeys ? { acceptNewHostKeys: true } : {}),
    ...(wiring.record ? { record: wiring.record } : {}),
    ...(wiring.priorJobs ? { priorJobs: wiring.priorJobs } : {}),
    ...(env.ask ? { ask: env.ask } : {}),
  });
}
