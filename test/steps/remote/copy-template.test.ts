import { expect } from 'chai';
import { requireTool } from '../../support/require-tool.js';
import { existsSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SecretRegistry } from '../../../src/secrets/masker.js';
import { playbook, scratch, SshWorld } from './harness.js';

const hasSudo = existsSync('/usr/bin/sudo');

describe('copy and template steps over SFTP', function () {
  this.timeout(30_000);
  let world: SshWorld;
  let tmp: ReturnType<typeof scratch>;
  let inv: string;
  before(async () => {
    world = await SshWorld.start();
    inv = world.inventory({ h1: { address: '127.0.0.2' } });
  });
  after(async () => world.stop());
  beforeEach(() => {
    tmp = scratch();
  });
  afterEach(() => tmp.remove());

  it('copy writes inline content with a mode, then reports no change when run again', async () => {
    const dest = join(tmp.dir, 'app.conf');
    const steps = playbook(`
      - {name: put, copy: {content: "a=1\\nb=2\\n", dest: ${dest}, mode: '0640'}, register: c}
      - {name: show, log: "{{json c}}"}`);
    const first = await world.run(steps, inv);
    expect(first.end('put').status).to.equal('changed');
    expect(readFileSync(dest, 'utf8')).to.equal('a=1\nb=2\n');
    expect(statSync(dest).mode & 0o7777).to.equal(0o640);
    expect(first.logged('show')).to.include({ dest, mode: '0640', size: 8 });
    const again = await world.run(steps, inv);
    expect(again.end('put').status).to.equal('ok');
    expect(again.end('put').msg).to.equal(`${dest} is up to date`);
  });

  it('copy changes only the mode when only the mode differs, and accepts 644 written without quotes', async () => {
    const dest = join(tmp.dir, 'f');
    writeFileSync(dest, 'same\n', { mode: 0o600 });
    const r = await world.run(playbook(`
      - {name: chmod, copy: {content: "same\\n", dest: ${dest}, mode: 644}}`), inv);
    expect(r.end('chmod').status).to.equal('changed');
    expect(r.end('chmod').msg).to.equal('mode 0600 → 0644');
    expect(statSync(dest).mode & 0o7777).to.equal(0o644);
  });

  it('copy uploads a local src file (binary-safe) into a destination directory', async () => {
    const src = join(tmp.dir, 'blob.bin');
    const bytes = Buffer.from([0, 1, 2, 255, 254, 10, 0]);
    writeFileSync(src, bytes);
    const destDir = join(tmp.dir, 'out');
    mkdirSync(destDir);
    const r = await world.run(playbook(`
      - {name: put, copy: {src: ${src}, dest: ${destDir}/}}`), inv);
    expect(r.end('put').status).to.equal('changed');
    expect(readFileSync(join(destDir, 'blob.bin')).equals(bytes)).to.equal(true);
  });

  it('dry run shows a unified diff and predicts changed without writing; unchanged files say up to date', async () => {
    const dest = join(tmp.dir, 'cfg');
    writeFileSync(dest, 'one\ntwo\nthree\n');
    const same = join(tmp.dir, 'same');
    writeFileSync(same, 'x\n');
    const r = await world.run(playbook(`
      - {name: edit, copy: {content: "one\\nTWO\\nthree\\n", dest: ${dest}}}
      - {name: keep, copy: {content: "x\\n", dest: ${same}}}
      - {name: new, copy: {content: "hello\\n", dest: ${join(tmp.dir, 'new')}, mode: '0600'}}`), inv, { dryRun: true });
    expect(r.end('edit').status).to.equal('changed');
    expect(r.end('edit').plan).to.equal([
      `update ${dest} (14 → 14 bytes)`,
      `--- ${dest} (on the host)`, `+++ ${dest} (wanted)`, '@@ -1,3 +1,3 @@', ' one', '-two', '+TWO', ' three',
    ].join('\n'));
    expect(readFileSync(dest, 'utf8')).to.equal('one\ntwo\nthree\n');
    expect(r.end('keep').status).to.equal('ok');
    expect(r.end('keep').plan).to.equal(`${same} is up to date`);
    expect(r.end('new').plan).to.include(`create ${join(tmp.dir, 'new')} (6 bytes, mode 0600)`);
    expect(r.end('new').plan).to.include('+hello');
    expect(existsSync(join(tmp.dir, 'new'))).to.equal(false);
  });

  it('the dry-run diff masks secrets', async () => {
    const dest = join(tmp.dir, 'db.properties');
    writeFileSync(dest, 'db.password=old\n');
    const secrets = new SecretRegistry();
    const hostInv = world.inventory({ h1: { address: '127.0.0.2', extra: '    vars:\n      dbpw: {secret: "Sup3r-S3cret"}' } });
    const r = await world.run(playbook(`
      - {name: put, copy: {content: "db.password={{dbpw}}\\n", dest: ${dest}}}`), hostInv, { dryRun: true, secrets });
    expect(r.end('put').plan).to.include('+db.password=***');
    expect(JSON.stringify(r.events)).to.not.include('Sup3r-S3cret');
  });

  it('template renders a local Handlebars file with the step\'s vars and is idempotent', async () => {
    const src = join(tmp.dir, 'motd.hbs');
    writeFileSync(src, 'host {{inventory_hostname}} port {{port}}\n{{#each users}}- {{this}}\n{{/each}}');
    const dest = join(tmp.dir, 'motd');
    const steps = playbook(`
      - {name: render, template: {src: ${src}, dest: ${dest}, vars: {users: [ann, bob]}}}`, 'all', '      port: 8096');
    const r = await world.run(steps, inv);
    expect(r.end('render').status).to.equal('changed');
    expect(readFileSync(dest, 'utf8')).to.equal('host h1 port 8096\n- ann\n- bob\n');
    const again = await world.run(steps, inv);
    expect(again.end('render').status).to.equal('ok');
  });

  it('template errors point at the template file\'s line and column', async () => {
    const src = join(tmp.dir, 'bad.hbs');
    writeFileSync(src, 'line one\nvalue: {{nope}}\n');
    const r = await world.run(playbook(`
      - {name: render, template: {src: ${src}, dest: ${join(tmp.dir, 'x')}}}`), inv);
    expect(r.end('render').status).to.equal('failed');
    expect(r.end('render').msg).to.equal(`${src}:2:10: undefined variable 'nope'`);
  });

  it('template dry run shows the diff of the rendered text', async () => {
    const src = join(tmp.dir, 't.hbs');
    writeFileSync(src, 'port={{port}}\n');
    const dest = join(tmp.dir, 'out');
    writeFileSync(dest, 'port=8080\n');
    const r = await world.run(playbook(`
      - {name: render, template: {src: ${src}, dest: ${dest}}}`, 'all', '      port: 8096'), inv, { dryRun: true });
    expect(r.end('render').plan).to.include('-port=8080\n+port=8096');
    expect(readFileSync(dest, 'utf8')).to.equal('port=8080\n');
  });

  it('copies to many hosts at once', async () => {
    const many = world.inventory({ a: { address: '127.0.0.1' }, b: { address: '127.0.0.2' }, c: { address: '127.0.0.3' } });
    const r = await world.run(playbook(`
      - {name: put, copy: {content: "name={{inventory_hostname}}\\n", dest: "${tmp.dir}/{{inventory_hostname}}.txt"}}`), many);
    for (const h of ['a', 'b', 'c']) {
      expect(r.end('put', h).status).to.equal('changed');
      expect(readFileSync(join(tmp.dir, `${h}.txt`), 'utf8')).to.equal(`name=${h}\n`);
    }
  });

  describe('with become', () => {
    before(function () {
      requireTool(this, hasSudo, 'sudo');
    });

    it('installs through sudo with owner and group, and reads the old content through sudo for the diff', async () => {
      const dest = join(tmp.dir, 'owned');
      writeFileSync(dest, 'old\n', { mode: 0o600 });
      const r = await world.run(playbook(`
        - {name: put, copy: {content: "new\\n", dest: ${dest}, owner: nobody, group: nogroup, mode: '0640', become: true}}`), inv);
      expect(r.end('put').status).to.equal('changed');
      const st = statSync(dest);
      expect(readFileSync(dest, 'utf8')).to.equal('new\n');
      expect(st.uid).to.equal(65534);
      expect(st.mode & 0o7777).to.equal(0o640);
      const again = await world.run(playbook(`
        - {name: put, copy: {content: "new\\n", dest: ${dest}, owner: nobody, group: nogroup, mode: '0640', become: true}}`), inv, { dryRun: true });
      expect(again.end('put').status).to.equal('ok');
    });
  });
});
