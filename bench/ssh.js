// SSH benchmarks: the floor (a bare ssh2 exec on a reused connection) against a `shell: true` step,
// and 50 `shell: true` steps on 10 loopback hosts against a bare ssh2 loop and Ansible (if installed).
// A private OpenSSH sshd (the test suite's) listens on 127.0.0.2-11 with an empty remote HOME.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export async function sshBenchmarks(ROOT, BIN, rows, { reps, median }) {
  const { startTestSshServer } = await import(join(ROOT, 'dist/test/support/sshd.js'));
  const { Client } = (await import('ssh2')).default;
  const addresses = Array.from({ length: 10 }, (_, i) => `127.0.0.${i + 2}`);
  const server = await startTestSshServer({ addresses, kind: 'openssh', maxSessions: 20 });
  const dir = mkdtempSync(join(os.tmpdir(), 'stackplay-bench-ssh-'));
  try {
    const key = readFileSync(server.keys.ed25519.path);
    const connect = (host) => new Promise((resolve, reject) => {
      const c = new Client();
      c.on('ready', () => resolve(c)).on('error', reject);
      c.connect({ host, port: server.port, username: server.user, privateKey: key, hostVerifier: () => true });
      c.once('connect', () => c._sock?.setNoDelay?.(true));
    });
    const exec = (c, cmd) => new Promise((resolve, reject) => {
      c.exec(cmd, (err, ch) => {
        if (err) return reject(err);
        ch.on('close', resolve).on('data', () => undefined).stderr.on('data', () => undefined);
      });
    });

    // inventory + known_hosts for stackplay
    writeFileSync(join(dir, 'known_hosts'), addresses.map((a) => server.knownHostsLine(a)).join('\n') + '\n');
    writeFileSync(join(dir, 'inv.yml'), [
      'known_hosts: ./known_hosts', 'hosts:',
      ...addresses.map((a, i) => `  h${i}: {address: ${a}, port: ${server.port}, user: ${server.user}, key_file: ${server.keys.ed25519.path}}`),
    ].join('\n') + '\n');

    // 3. floor: N sequential execs on one reused connection, bare vs shell steps
    const N = 200;
    const c = await connect(addresses[0]);
    await exec(c, 'true');
    const bare = [];
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      for (let i = 0; i < N; i++) await exec(c, 'true');
      bare.push((performance.now() - t0) / N);
    }
    c.end();
    const floor = median(bare);
    rows.push({ name: 'bare ssh2 exec of `true`, reused connection', value: `${floor.toFixed(2)} ms`, ratio: '1.00x', target: '', ok: '' });

    const { loadPlaybook } = await import(join(ROOT, 'dist/src/loader/load-playbook.js'));
    const { stepRegistry } = await import(join(ROOT, 'dist/src/steps/registry.js'));
    const { runPlaybook } = await import(join(ROOT, 'dist/src/engine/executor.js'));
    const { loadInventory } = await import(join(ROOT, 'dist/src/inventory/load-inventory.js'));
    const { SecretRegistry } = await import(join(ROOT, 'dist/src/secrets/masker.js'));
    const { DefaultRunServices } = await import(join(ROOT, 'dist/src/runtime/services.js'));
    const secrets = new SecretRegistry();
    const invPath = join(dir, 'inv.yml');
    const inv = loadInventory(invPath, readFileSync(invPath, 'utf8'), { secrets, resolveSecrets: true }).inventory;
    const pbText = ['name: floor', 'plays:', '  - name: p', '    hosts: h0', '    steps:', ...Array.from({ length: N + 1 }, (_, i) => `      - {name: s${i}, shell: "true"}`)].join('\n');
    const pb = loadPlaybook('floor.yml', pbText, { steps: stepRegistry }).playbook;
    const stepTimes = [];
    for (let r = 0; r < reps; r++) {
      let first = 0;
      let last = 0;
      await runPlaybook({
        runId: 'bench', playbook: pb, inventory: inv, steps: stepRegistry, extraVars: {}, dryRun: false, forks: 10, secrets,
        services: new DefaultRunServices({ inventory: inv, secrets, sshConfigPath: null, homeDir: dir }),
        sink: (e) => {
          if (e.type === 'step-end') {
            if (first === 0) first = performance.now();
            last = performance.now();
          }
        },
      });
      stepTimes.push((last - first) / N);
    }
    const step = median(stepTimes);
    const ratio = step / floor;
    rows.push({ name: '`shell: true` step, reused connection', value: `${step.toFixed(2)} ms`, ratio: `${ratio.toFixed(2)}x`, target: '≤ 1.3x bare', ok: ratio <= 1.3 ? 'yes' : 'NO' });

    // 4. 50 steps on 10 hosts: bare loop (fresh connections included) vs stackplay CLI vs Ansible
    const STEPS = 50;
    const bareLoop = [];
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      await Promise.all(addresses.map(async (a) => {
        const cc = await connect(a);
        for (let i = 0; i < STEPS; i++) await exec(cc, 'true');
        cc.end();
      }));
      bareLoop.push(performance.now() - t0);
    }
    const loop = median(bareLoop);
    rows.push({ name: `bare ssh2 loop: ${STEPS} execs × 10 hosts (connects included)`, value: `${loop.toFixed(0)} ms`, ratio: '1.00x', target: '', ok: '' });
    writeFileSync(join(dir, 'pb50.yml'), ['name: fifty', 'plays:', '  - name: p', '    hosts: all', '    steps:', ...Array.from({ length: STEPS }, (_, i) => `      - {name: s${i}, shell: "true"}`)].join('\n') + '\n');
    const cli = [];
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      const res = spawnSync(process.execPath, [BIN, 'run', join(dir, 'pb50.yml'), '-i', invPath, '-o', 'json', '--journal-dir', join(dir, 'runs')], { env: { ...process.env, HOME: dir, SSH_AUTH_SOCK: '' }, encoding: 'utf8', timeout: 120_000 });
      cli.push(performance.now() - t0);
      if (res.status !== 0) throw new Error(`stackplay run failed (status ${res.status}, signal ${res.signal}${res.error ? `, ${res.error.message}` : ''}): ${res.stderr}`);
    }
    const sp = median(cli);
    const r2 = sp / loop;
    rows.push({ name: `stackplay run: ${STEPS} \`shell: true\` × 10 hosts, strategy linear (process, start-up included)`, value: `${sp.toFixed(0)} ms`, ratio: `${r2.toFixed(2)}x bare`, target: '≤ 1.2x bare loop', ok: r2 <= 1.2 ? 'yes' : 'NO' });
    writeFileSync(join(dir, 'pb50free.yml'), readFileSync(join(dir, 'pb50.yml'), 'utf8').replace('    hosts: all', '    hosts: all\n    strategy: free'));
    const free = [];
    let freeFailure = '';
    for (let r = 0; r < reps && !freeFailure; r++) {
      const t0 = performance.now();
      const res = spawnSync(process.execPath, [BIN, 'run', join(dir, 'pb50free.yml'), '-i', invPath, '-o', 'json', '--journal-dir', join(dir, 'runs')], { env: { ...process.env, HOME: dir, SSH_AUTH_SOCK: '' }, encoding: 'utf8', timeout: 120_000 });
      free.push(performance.now() - t0);
      // recorded, not thrown: a failing or stuck run is itself a finding of the benchmark
      if (res.status !== 0) freeFailure = `run ${r + 1} failed (exit ${res.status}${res.error ? `, ${res.error.code}` : ''}): ${(res.stdout.match(/"msg":"[^"]*lost[^"]*"/) ?? [''])[0]}`;
    }
    const spf = median(free);
    rows.push({ name: `stackplay run: same, strategy free`, value: freeFailure ? 'FAILED' : `${spf.toFixed(0)} ms`, ratio: freeFailure || `${(spf / loop).toFixed(2)}x bare`, target: '≤ 1.2x bare loop', ok: !freeFailure && spf / loop <= 1.2 ? 'yes' : 'NO' });
    if (existsSync('/usr/bin/ansible-playbook')) {
      writeFileSync(join(dir, 'hosts.ini'), `[all]\n${addresses.map((a, i) => `h${i} ansible_host=${a} ansible_port=${server.port} ansible_user=${server.user} ansible_ssh_private_key_file=${server.keys.ed25519.path}`).join('\n')}\n`);
      writeFileSync(join(dir, 'ansible.cfg'), `[defaults]\nhost_key_checking = False\nforks = 10\ngathering = explicit\ninterpreter_python = /usr/bin/python3\n[ssh_connection]\npipelining = True\nssh_args = -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=${join(dir, 'known_hosts')}\ncontrol_path_dir = ${join(dir, 'cp')}\n`);
      writeFileSync(join(dir, 'ans.yml'), `- hosts: all\n  gather_facts: false\n  tasks:\n${Array.from({ length: STEPS }, (_, i) => `    - name: s${i}\n      command: "true"\n`).join('')}`);
      const times = [];
      const areps = Math.min(reps, 3);
      for (let r = 0; r < areps; r++) {
        const t0 = performance.now();
        const res = spawnSync('ansible-playbook', ['-i', join(dir, 'hosts.ini'), join(dir, 'ans.yml')], { env: { ...process.env, ANSIBLE_CONFIG: join(dir, 'ansible.cfg'), HOME: dir }, encoding: 'utf8' });
        times.push(performance.now() - t0);
        if (res.status !== 0) {
          const why = (res.stdout.match(/"msg": "([^"]{0,120})/) ?? [])[1] ?? `exit ${res.status}`;
          rows.push({ name: 'ansible-playbook: same workload', value: 'FAILED', ratio: why.replace(/\|/g, '/'), target: '≥ 40x', ok: '' });
          return;
        }
      }
      const an = median(times);
      rows.push({ name: `ansible-playbook: same workload (pipelining, ControlPersist, forks 10)`, value: `${an.toFixed(0)} ms`, ratio: `${(an / sp).toFixed(1)}x slower than stackplay`, target: '≥ 40x', ok: an / sp >= 40 ? 'yes' : 'NO' });
    } else {
      rows.push({ name: 'ansible-playbook: not installed (apt-get install ansible to compare)', value: '', ratio: '', target: '', ok: '' });
    }
  } finally {
    await server.stop();
  }
}
