#!/usr/bin/env node
// Benchmarks (not tests): every comparison is a ratio measured in the same run, medians over several
// repetitions, because the machines are shared and noisy. Prints one table and writes BENCHMARKS.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin/stackplay.js');
const REPS = Number(process.env.BENCH_REPS ?? 7);
const tmp = mkdtempSync(join(os.tmpdir(), 'stackplay-bench-'));
const rows = [];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeCommand(args, { reps = REPS, env = {}, status = 0 } = {}) {
  const times = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const r = spawnSync(args[0], args.slice(1), { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    times.push(performance.now() - t0);
    if (r.status !== status && r.status !== null && !args.includes('--allow-fail')) {
      throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    }
  }
  return median(times);
}

function row(name, value, baseline, target, unit = 'ms') {
  const ratio = baseline ? value / baseline : undefined;
  rows.push({ name, value: `${value.toFixed(1)} ${unit}`, ratio: ratio === undefined ? '' : `${ratio.toFixed(2)}x`, target: target ?? '', ok: '' });
  return ratio;
}

function playbookWith(steps, hosts) {
  const lines = ['name: bench', 'plays:', '  - name: many steps', `    hosts: ${hosts}`, '    steps:'];
  for (let i = 0; i < steps; i++) lines.push(`      - name: step ${i}`, `        log: "step ${i} on {{inventory_hostname}}"`);
  return lines.join('\n') + '\n';
}

const SECTIONS = ['startup', 'engine', 'ssh', 'scale', 'window'];
const USAGE = `usage: npm run bench [-- SECTION[,SECTION…]]   (default: all)
sections: ${SECTIONS.join(', ')}
  startup  node -e 0, stackplay --version, validate of the bundled playbooks (and ansible --syntax-check)
  engine   1,000 log steps on 10 hosts per renderer
  ssh      SSH runs against a private sshd (and the bare ssh2 loop, Ansible)
  scale    the lab at scale
  window   the maintenance window: API restart and live patch of 1,000 routers against the lower bound and sysvmadm's batches
BENCH_REPS=N sets the repetitions (default 7). The table is printed and written to BENCHMARKS.md.
`;
if (process.argv[2] === '--help' || process.argv[2] === '-h') {
  process.stdout.write(USAGE);
  process.exit(0);
}
const sections = (process.argv[2] ?? 'all').split(',');
const unknownSections = sections.filter((s) => s !== 'all' && !SECTIONS.includes(s));
if (unknownSections.length > 0) {
  // an unknown name used to run nothing and overwrite BENCHMARKS.md with an empty table
  process.stderr.write(`unknown section ${unknownSections.join(', ')}\n${USAGE}`);
  process.exit(2);
}
const want = (s) => sections.includes('all') || sections.includes(s);

// 1. start-up
const ANSIBLE = existsSync('/usr/bin/ansible-playbook') ? '/usr/bin/ansible-playbook' : null;
if (want('startup')) {
  const node = timeCommand([process.execPath, '-e', '0']);
  row('node -e 0 (baseline)', node);
  const version = timeCommand([process.execPath, BIN, '--version']);
  const r1 = row('stackplay --version', version, node, '≤ 2x node');
  rows.at(-1).ok = r1 <= 2 ? 'yes' : 'NO';
  for (const pb of ['examples/hello', 'cloudstack/preflight', 'cloudstack/systemvm-restart', 'cloudstack/systemvm-live-patch', 'cloudstack/systemvm-restart-api']) {
    row(`stackplay validate ${pb}`, timeCommand([process.execPath, BIN, 'validate', pb]), node, '');
  }
  // the same tour of the DSL written for Ansible (bench/ansible/hello.yml); --syntax-check only parses,
  // while validate also checks templates, expressions and step arguments
  if (ANSIBLE) {
    const ours = timeCommand([process.execPath, BIN, 'validate', 'playbooks/examples/hello.yml']);
    const theirs = timeCommand([ANSIBLE, '--syntax-check', '-i', 'localhost,', 'bench/ansible/hello.yml'], { env: { ANSIBLE_LOCALHOST_WARNING: 'false' } });
    row('ansible-playbook --syntax-check bench/ansible/hello.yml', theirs, node, '');
    rows.push({ name: 'stackplay validate examples/hello vs ansible-playbook --syntax-check (equivalent playbook)', value: `${ours.toFixed(1)} ms`, ratio: `${(ours / theirs).toFixed(2)} of Ansible`, target: '≤ 1/3 of Ansible', ok: ours / theirs <= 1 / 3 ? 'yes' : 'NO' });
  }
}

// 2. engine
if (want('engine')) {
  const pb = join(tmp, 'steps-1000.yml');
  writeFileSync(pb, playbookWith(1000, 'all'));
  const inv = join(tmp, 'inv.yml');
  writeFileSync(inv, `hosts:\n${Array.from({ length: 10 }, (_, i) => `  h${i}: {address: 127.0.0.${i + 2}}`).join('\n')}\n`);
  const node = timeCommand([process.execPath, '-e', '0']);
  const validate = timeCommand([process.execPath, BIN, 'validate', pb]);
  row('validate a 1,000-step playbook (process)', validate, node, '< 500 ms');
  rows.at(-1).ok = validate < 500 ? 'yes' : 'NO';
  if (ANSIBLE) {
    const apb = join(tmp, 'ansible-1000.yml');
    writeFileSync(apb, `- hosts: all\n  gather_facts: false\n  tasks:\n${Array.from({ length: 1000 }, (_, i) => `    - name: step ${i}\n      ansible.builtin.debug:\n        msg: "step ${i} on {{ inventory_hostname }}"\n`).join('')}`);
    const theirs = timeCommand([ANSIBLE, '--syntax-check', '-i', 'localhost,', apb], { env: { ANSIBLE_LOCALHOST_WARNING: 'false' } });
    rows.push({ name: 'same 1,000 steps: ansible-playbook --syntax-check', value: `${theirs.toFixed(1)} ms`, ratio: `stackplay ${(validate / theirs).toFixed(2)} of Ansible`, target: '≤ 1/3 of Ansible', ok: validate / theirs <= 1 / 3 ? 'yes' : 'NO' });
  }
  // bad input costs linear time: 20,000 unknown keys (each with its code frame) took ~20 s once
  const bad = join(tmp, 'unknown-keys-20000.yml');
  writeFileSync(bad, `${playbookWith(1, 'localhost')}${Array.from({ length: 20_000 }, (_, i) => `        k${i}: 1\n`).join('')}`);
  const badTime = timeCommand([process.execPath, BIN, 'validate', bad], { reps: Math.min(REPS, 3), status: 2 });
  row('validate 20,000 unknown keys, every problem printed (process)', badTime, node, '< 1 s');
  rows.at(-1).ok = badTime < 1000 ? 'yes' : 'NO';
  const { loadPlaybook } = await import(join(ROOT, 'dist/src/loader/load-playbook.js'));
  const { stepRegistry } = await import(join(ROOT, 'dist/src/steps/registry.js'));
  const { readFileSync } = await import('node:fs');
  const text = readFileSync(pb, 'utf8');
  const inproc = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    const r = loadPlaybook(pb, text, { steps: stepRegistry });
    inproc.push(performance.now() - t0);
    if (!r.ok) throw new Error('bench playbook invalid');
  }
  row('validate a 1,000-step playbook (in-process)', median(inproc), undefined, '');
  for (const output of ['plain', 'json']) {
    // a journal directory of its own: the check before every run must not be measuring older journals
    const runs = timeCommand([process.execPath, BIN, 'run', pb, '-i', inv, '-o', output, '--journal-dir', join(tmp, `runs-${output}`)], { reps: Math.min(REPS, 5) });
    const base = timeCommand([process.execPath, BIN, 'validate', pb, '-i', inv], { reps: Math.min(REPS, 5) });
    const perStep = (runs - base) / 10_000;
    rows.push({ name: `1,000 log steps × 10 hosts, ${output} renderer`, value: `${runs.toFixed(0)} ms`, ratio: `${(perStep * 1000).toFixed(1)} µs/step/host`, target: '< 200 µs/step/host', ok: perStep < 0.2 ? 'yes' : 'NO' });
  }
}

if (want('ssh')) {
  const { sshBenchmarks } = await import('./ssh.js');
  await sshBenchmarks(ROOT, BIN, rows, { reps: REPS, median });
}

if (want('scale')) {
  const { scaleBenchmarks } = await import('./scale.js');
  await scaleBenchmarks(ROOT, BIN, rows);
}

if (want('window')) {
  const { windowBenchmarks } = await import('./window.js');
  await windowBenchmarks(ROOT, rows);
}

rmSync(tmp, { recursive: true, force: true });

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const header = `Machine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}; ${REPS} repetitions, medians.`;
const table = [
  '| benchmark | median | ratio / per unit | target | met |',
  '|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.name} | ${r.value} | ${r.ratio} | ${r.target} | ${r.ok} |`),
].join('\n');
process.stdout.write(`${header}\n\n${table}\n`);
writeFileSync(join(ROOT, 'BENCHMARKS.md'), `# Benchmarks\n\nGenerated by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}.\n\n${header}\n\n${table}\n`);
