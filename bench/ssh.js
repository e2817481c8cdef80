// SSH benchmarks: the floor (a bare ssh2 exec on a reused connection) against a `shell: true` step,
// and 50 `shell: true` steps on 10 loopback hosts against a bare ssh2 loop (bare-loop.js) and Ansible (if
// installed).
// A private OpenSSH sshd (the test suite's) listens on 127.0.0.2-11 with an empty remote HOME.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export async function sshBenchmarks(ROOT, BIN, rows, { reps, median }) {
  const { startTestSshServer } = await import(join(ROOT, 'dist/test/support/sshd.js'));
  const addresses = Array.from({ length: 10 }, (_, i) => `127.0.0.${i + 2}`);
  const server = await startTestSshServer({ addresses, kind: 'openssh', maxSessions: 20 });
  const dir = mkdtempSync(join(os.tmpdir(), 'stackplay-bench-ssh-'));
  try {
    const { connect, exec, bareLoop } = await import('./bare-loop.js');
    const cfg = { port: server.port, user: server.user, key: server.keys.ed25519.path, addresses, steps: 50, command: 'true' };

    // inventory + known_hosts for stackplay
    writeFileSync(join(dir, 'known_hosts'), addresses.map((a) => server.knownHostsLine(a)).join('\n') + '\n');
    writeFileSync(join(dir, 'inv.yml'), [
      'known_hosts: ./known_hosts', 'hosts:',
      ...addresses.map((a, i) => `  h${i}: {address: ${a}, port: ${server.port}, user: ${server.user}, key_file: ${server.keys.ed25519.path}}`),
    ].join('\n') + '\n');

    // 3. floor: N sequential execs on one reused connection, bare vs shell steps
    const N = 200;
    const c = await connect(cfg, addresses[0]);
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

    // 4. 50 steps on 10 hosts, connections included: in-process (the engine against a bare ssh2 loop) and
    // as processes (`stackplay run` against the same loop run by `node bench/bare-loop.js`: both pay
    // Node's start-up and module loading). Repetitions interleave the contenders so drift hits both.
    const STEPS = cfg.steps;
    writeFileSync(join(dir, 'pb50.yml'), ['name: fifty', 'plays:', '  - name: p', '    hosts: all', '    steps:', ...Array.from({ length: STEPS }, (_, i) => `      - {name: s${i}, shell: "true"}`)].join('\n') + '\n');
    writeFileSync(join(dir, 'pb50free.yml'), readFileSync(join(dir, 'pb50.yml'), 'utf8').replace('    hosts: all', '    hosts: all\n    strategy: free'));
    const { jsonRenderer } = await import(join(ROOT, 'dist/src/renderers/json.js'));
    const pb50 = loadPlaybook('pb50.yml', readFileSync(join(dir, 'pb50.yml'), 'utf8'), { steps: stepRegistry }).playbook;
    const bareIn = [];
    const engineIn = [];
    for (let r = 0; r < reps; r++) {
      bareIn.push(await bareLoop(cfg));
      const t0 = performance.now();
      const services = new DefaultRunServices({ inventory: inv, secrets, sshConfigPath: null, homeDir: dir });
      const summary = await runPlaybook({
        runId: 'bench', playbook: pb50, inventory: inv, steps: stepRegistry, extraVars: {}, dryRun: false, forks: 10, secrets, services,
        sink: jsonRenderer(() => undefined),
      });
      await services.close();
      engineIn.push(performance.now() - t0);
      if (summary.exitCode !== 0) throw new Error(`in-process run failed (exit ${summary.exitCode})`);
    }
    const loopIn = median(bareIn);
    const engine = median(engineIn);
    rows.push({ name: `bare ssh2 loop in-process: ${STEPS} execs × 10 hosts (connects included)`, value: `${loopIn.toFixed(0)} ms`, ratio: '1.00x', target: '', ok: '' });
    rows.push({ name: `stackplay engine in-process (runPlaybook, same workload, linear)`, value: `${engine.toFixed(0)} ms`, ratio: `${(engine / loopIn).toFixed(2)}x bare`, target: '≤ 1.2x bare loop', ok: engine / loopIn <= 1.2 ? 'yes' : 'NO' });

    const runCli = (file) => {
      const t0 = performance.now();
      const res = spawnSync(process.execPath, [BIN, 'run', join(dir, file), '-i', invPath, '-o', 'json', '--journal-dir', join(dir, 'runs')], { env: { ...process.env, HOME: dir, SSH_AUTH_SOCK: '' }, encoding: 'utf8', timeout: 120_000 });
      const ms = performance.now() - t0;
      // recorded, not thrown: a failing or stuck run is itself a finding of the benchmark
      const failure = res.status === 0 ? '' : `exit ${res.status}${res.error ? ` (${res.error.code})` : ''}: ${(res.stdout.match(/"msg":"[^"]{0,100}/) ?? [res.stderr.slice(0, 100)])[0]}`;
      return { ms, failure };
    };
    const bareProc = [];
    const linear = [];
    const free = [];
    let linearFailure = '';
    let freeFailure = '';
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      const b = spawnSync(process.execPath, [join(ROOT, 'bench/bare-loop.js'), JSON.stringify(cfg)], { encoding: 'utf8', timeout: 120_000 });
      if (b.status !== 0) throw new Error(`bare loop failed (status ${b.status}, signal ${b.signal}${b.error ? `, ${b.error.code}` : ""}, ${(performance.now() - t0).toFixed(0)} ms): ${b.stderr}`);
      bareProc.push(performance.now() - t0);
      const l = runCli('pb50.yml');
      linear.push(l.ms);
      linearFailure ||= l.failure && `run ${r + 1}: ${l.failure}`;
      const f = runCli('pb50free.yml');
      free.push(f.ms);
      freeFailure ||= f.failure && `run ${r + 1}: ${f.failure}`;
    }
    const loop = median(bareProc);
    const sp = median(linear);
    const spf = median(free);
    const cliRow = (name, ms, failure) => rows.push({
      name, value: failure ? 'FAILED' : `${ms.toFixed(0)} ms`, ratio: (failure || `${(ms / loop).toFixed(2)}x bare`).replace(/\|/g, '/'),
      target: '≤ 1.2x bare loop', ok: !failure && ms / loop <= 1.2 ? 'yes' : 'NO',
    });
    rows.push({ name: `bare ssh2 loop as a process (\`node bench/bare-loop.js\`, start-up included)`, value: `${loop.toFixed(0)} ms`, ratio: '1.00x', target: '', ok: '' });
    cliRow(`\`stackplay run\`: ${STEPS} \`shell: true\` × 10 hosts, strategy linear (start-up, journal included)`, sp, linearFailure);
    cliRow('`stackplay run`: same, strategy free', spf, freeFailure);
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
