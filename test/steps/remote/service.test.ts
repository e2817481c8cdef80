import { expect } from 'chai';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { playbook, scratch, SshWorld } from './harness.js';

// The container has no systemd: a fake systemctl (first on PATH through the step's env) keeps unit
// states in files and logs every call with the caller's uid.
const FAKE_SYSTEMCTL = `#!/bin/sh
d=\${FAKE_SYSTEMCTL_DIR:?}
echo "$(id -u) $*" >> "$d/calls.log"
action=$1; shift; [ "$1" = "--" ] && shift; unit=$1; f="$d/$unit.state"
state=$(cat "$f" 2>/dev/null || echo inactive)
case $action in
  is-active)
    if [ "$state" = activating ]; then
      n=$(cat "$d/$unit.activating"); n=$((n-1)); echo $n > "$d/$unit.activating"
      [ $n -le 0 ] && echo active > "$f"
    fi
    echo "$state"; [ "$state" = active ] && exit 0 || exit 3;;
  start|restart|reload)
    if [ -e "$d/$unit.broken" ]; then echo failed > "$f"; echo "Job for $unit.service failed because the control process exited with error code." >&2; exit 1; fi
    if [ -e "$d/$unit.crash" ]; then echo failed > "$f"; exit 0; fi
    if [ -e "$d/$unit.activating" ]; then echo activating > "$f"; exit 0; fi
    echo active > "$f";;
  stop) echo inactive > "$f";;
  *) echo "unknown action $action" >&2; exit 2;;
esac
`;

describe('service step (fake systemctl over SSH)', function () {
  this.timeout(30_000);
  let world: SshWorld;
  let tmp: ReturnType<typeof scratch>;
  let inv: string;
  let env: string;
  const calls = (): string[] => (existsSync(join(tmp.dir, 'calls.log')) ? readFileSync(join(tmp.dir, 'calls.log'), 'utf8').trim().split('\n') : []);
  const setState = (unit: string, state: string): void => writeFileSync(join(tmp.dir, `${unit}.state`), `${state}\n`);
  const svc = (name: string, state: string, extra = ''): string =>
    `- {name: ${name}, service: {name: web, state: ${state}, env: ${env}${extra}}, register: s}\n      - {name: show-${name}, log: "{{json s}}"}`;

  before(async () => {
    world = await SshWorld.start();
    inv = world.inventory({ h1: { address: '127.0.0.3' } });
  });
  after(async () => world.stop());
  beforeEach(() => {
    tmp = scratch();
    chmodSync(tmp.dir, 0o777);
    const bin = join(tmp.dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'systemctl'), FAKE_SYSTEMCTL, { mode: 0o755 });
    env = `{PATH: "${bin}:/usr/bin:/bin", FAKE_SYSTEMCTL_DIR: "${tmp.dir}"}`;
  });
  afterEach(() => tmp.remove());

  it('starts a stopped unit and registers state; a second run changes nothing', async () => {
    const r = await world.run(playbook(`      ${svc('start', 'started')}`), inv);
    expect(r.end('start').status).to.equal('changed');
    expect(r.logged('show-start')).to.include({ state: 'active', was: 'inactive', action: 'start' });
    expect(calls()).to.deep.equal(['0 is-active -- web', '0 start -- web', '0 is-active -- web']);
    const again = await world.run(playbook(`      ${svc('start', 'started')}`), inv);
    expect(again.end('start').status).to.equal('ok');
    expect(calls().filter((c) => c.includes('start --'))).to.have.length(1);
  });

  it('stops a running unit only when it runs', async () => {
    setState('web', 'active');
    const r = await world.run(playbook(`      ${svc('stop', 'stopped')}\n      ${svc('stop2', 'stopped')}`), inv);
    expect(r.end('stop').status).to.equal('changed');
    expect(r.logged('show-stop')).to.include({ state: 'inactive', was: 'active' });
    expect(r.end('stop2').status).to.equal('ok');
  });

  it('restarted always acts; reloaded starts a stopped unit; status only reads', async () => {
    setState('web', 'active');
    const r = await world.run(playbook(`      ${svc('restart', 'restarted')}\n      ${svc('status', 'status')}`), inv);
    expect(r.end('restart').status).to.equal('changed');
    expect(r.end('status').status).to.equal('ok');
    expect(r.logged('show-status')).to.include({ state: 'active', changed: false });
    setState('web', 'inactive');
    const r2 = await world.run(playbook(`      ${svc('reload', 'reloaded')}`), inv);
    expect(r2.logged('show-reload')).to.include({ action: 'start', state: 'active' });
  });

  it('fails with systemctl\'s message when the action fails', async () => {
    writeFileSync(join(tmp.dir, 'web.broken'), '');
    const r = await world.run(playbook(`      ${svc('start', 'started')}`), inv);
    expect(r.end('start').status).to.equal('failed');
    expect(r.end('start').msg).to.equal('systemctl start web failed (exit code 1): Job for web.service failed because the control process exited with error code.');
  });

  it('fails when the unit is not active after a start that exited 0', async () => {
    writeFileSync(join(tmp.dir, 'web.crash'), '');
    const r = await world.run(playbook(`      ${svc('start', 'started')}`), inv);
    expect(r.end('start').status).to.equal('failed');
    expect(r.end('start').msg).to.equal('web is failed after systemctl start');
  });

  it('waits while the unit is activating (run clock, no real waiting)', async () => {
    writeFileSync(join(tmp.dir, 'web.activating'), '3');
    const slept: number[] = [];
    const r = await world.run(playbook(`      ${svc('start', 'started')}`), inv, { onSleep: (ms) => void slept.push(ms) });
    expect(r.end('start').status).to.equal('changed');
    expect(r.logged('show-start')).to.include({ state: 'active' });
    expect(slept.length).to.be.greaterThan(0);
    expect(calls().filter((c) => c.includes('is-active')).length).to.be.greaterThan(2);
  });

  it('gives up waiting after settle', async () => {
    writeFileSync(join(tmp.dir, 'web.activating'), '1000');
    const r = await world.run(playbook(`      ${svc('start', 'started', ', settle: 2s')}`), inv);
    expect(r.end('start').status).to.equal('failed');
    expect(r.end('start').msg).to.equal('web is activating after systemctl start (still activating after 2.0s)');
  });

  it('dry run reads the current state and predicts without acting', async () => {
    const r = await world.run(playbook(`      ${svc('start', 'started')}\n      ${svc('stop', 'stopped')}`), inv, { dryRun: true });
    expect(r.end('start').status).to.equal('changed');
    expect(r.end('start').plan).to.equal('would systemctl start web (now inactive)');
    expect(r.end('stop').status).to.equal('ok');
    expect(r.end('stop').plan).to.equal('web is inactive: nothing to do');
    expect(calls()).to.deep.equal(['0 is-active -- web', '0 is-active -- web']);
  });

  it('acts through sudo with become (reads without it)', async function () {
    if (!existsSync('/usr/bin/sudo')) this.skip();
    writeFileSync(join(tmp.dir, 'calls.log'), '');
    chmodSync(join(tmp.dir, 'calls.log'), 0o666);
    const r = await world.run(playbook(`      ${svc('start', 'started', ', become: true, become_user: nobody')}`), inv);
    expect(r.end('start').status).to.equal('changed');
    expect(calls()).to.deep.equal(['0 is-active -- web', '65534 start -- web', '0 is-active -- web']);
  });
});
