// Files the lab leaves in its state directory for other tools: inventory.yml (a ready stackplay
// inventory), known_hosts, lab.json (endpoints, no secrets) and state.json (a periodically refreshed
// snapshot that `stackplay lab status` reads).

import fs from 'node:fs';
import path from 'node:path';
import type { LabCore } from './core.js';
import type { HostActivity } from './snapshot.js';
import { summary } from './snapshot.js';
import type { LabHosts } from './host/lab-hosts.js';

const q = (s: string): string => JSON.stringify(s);

export class StateFiles {
  readonly inventoryPath: string;
  readonly knownHostsPath: string;
  readonly labJsonPath: string;
  readonly statePath: string;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly core: LabCore,
    readonly dir: string,
    private readonly activity: () => HostActivity,
    /** Integration port the inventory tells playbooks to use. */
    private readonly integrationPort = 8096,
  ) {
    this.inventoryPath = path.join(dir, 'inventory.yml');
    this.knownHostsPath = path.join(dir, 'known_hosts');
    this.labJsonPath = path.join(dir, 'lab.json');
    this.statePath = path.join(dir, 'state.json');
  }

  writeAll(hosts: LabHosts, loadBalancerUrl?: string): void {
    const c = this.core;
    const urlOf = (name: string): string => {
      const ms = c.cluster.byName(name) ?? c.ms;
      return `http://${ms.address}:${ms.api.port}/client/api`;
    };
    const apiUrl = urlOf(c.ms.name);
    const eps = hosts.endpoints();
    const lines = [
      '# Written by the stackplay lab. LAB-ONLY credentials: never reuse them anywhere else.',
      'hosts:',
    ];
    for (const e of eps) {
      lines.push(`  ${e.name}:`, `    address: ${e.address}`, `    port: ${e.port}`, '    user: root',
        `    key_file: ${q(hosts.privateKeyPath)}`, `    known_hosts: ${q(this.knownHostsPath)}`);
      if (e.role === 'management') {
        // every management server answers the API itself: each host names its own endpoint
        lines.push('    cloudstack:', `      url: ${q(urlOf(e.name))}`, `      api_key: { secret: ${q(c.settings.apiKey)} }`,
          `      secret_key: { secret: ${q(c.settings.secretKey)} }`, `      integration_port: ${this.integrationPort}`,
          '    vars:', `      cloudstack_db: { host: localhost, user: ${q(c.settings.dbUser)}, password: { secret: ${q(c.settings.dbPassword)} } }`,
          '      # the runner shares the loopback with the lab: its integration port is always reachable from here',
          '      on_exposed: warn');
        // where the database dump is, for cloudstack/upgrade-readiness (the world keeps one on the first server)
        const backup = c.world.dbBackup;
        if (backup && e.name === c.cluster.servers[0]?.name) lines.push(`      db_backup: ${q(backup.path)}`);
      } else lines.push('    vars:', `      cloudstack_host_name: ${e.name}`);
    }
    if (eps.length === 0) lines.push('  {}');
    const mgmt = eps.filter((e) => e.role === 'management').map((e) => e.name);
    const kvm = eps.filter((e) => e.role === 'kvm').map((e) => e.name);
    lines.push('groups:', `  management: { hosts: [${mgmt.join(', ')}] }`, `  kvm: { hosts: [${kvm.join(', ')}] }`, '');
    fs.writeFileSync(this.inventoryPath, lines.join('\n'), { mode: 0o600 });
    fs.writeFileSync(this.knownHostsPath, eps.map((e) => `[${e.address}]:${e.port} ${hosts.hostPublicKey}\n`).join(''), { mode: 0o600 });
    const info = {
      pid: process.pid, startedAt: new Date().toISOString(), apiUrl, address: c.address, apiPort: c.ms.api.port,
      servers: c.cluster.servers.map((s) => ({ name: s.name, address: s.address, apiUrl: urlOf(s.name) })),
      ...(loadBalancerUrl ? { loadBalancerUrl } : {}),
      hosts: eps, stateDir: this.dir, inventoryPath: this.inventoryPath, knownHostsPath: this.knownHostsPath,
      privateKeyPath: hosts.privateKeyPath, hostKeyFingerprint: hosts.fingerprint, statePath: this.statePath,
    };
    fs.writeFileSync(this.labJsonPath, JSON.stringify(info, null, 2) + '\n');
    this.flush();
  }

  /** Coalesces bursts of changes into one write (real timer: file I/O is not lab time). */
  scheduleState(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, 1000);
    this.timer.unref();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    try {
      const tmp = `${this.statePath}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify({ pid: process.pid, ...summary(this.core, this.activity()) }, null, 2) + '\n');
      fs.renameSync(tmp, this.statePath);
    } catch {
      // The state dir may be gone already (tests removing temp dirs); the file is informational.
    }
  }
}
