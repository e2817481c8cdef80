// SFTP over the pooled connection: missing files are null, writes are atomic (temporary file + rename,
// no leftovers), modes are exact or preserved, and sftp shares the channel budget with exec.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SftpError, type SshPool } from '../../../src/transports/ssh/index.js';
import { startTestSshServer, type TestSshServer } from '../../support/sshd.js';
import { hostOn, makePool, serverKinds, tempHome, trustServer, type TempHome } from './fixture.js';

for (const kind of serverKinds()) {
  describe(`transports/ssh sftp (${kind})`, () => {
    let server: TestSshServer;
    let home: TempHome;
    let pool: SshPool;
    let dir: string;
    before(async () => {
      server = await startTestSshServer({ kind });
      home = await tempHome();
      await trustServer(home, server);
      dir = join(home.dir, 'remote');
      await mkdir(dir);
    });
    beforeEach(() => {
      pool = makePool(home, { h: hostOn(server), tight: hostOn(server) }, { maxChannelsPerHost: 2 });
    });
    afterEach(() => pool.closeAll());
    after(async () => {
      await server.stop();
      home.remove();
    });

    it('returns null for missing files and stats', async () => {
      const t = await pool.get('h');
      expect(await t.readFile(join(dir, 'nope'))).to.equal(null);
      expect(await t.stat(join(dir, 'nope'))).to.equal(null);
    });

    it('writes and reads back binary data with an exact mode', async () => {
      const t = await pool.get('h');
      const data = randomBytes(300_000);
      const p = join(dir, 'blob.bin');
      await t.writeFile(p, data, { mode: 0o600 });
      expect((await readFile(p)).equals(data)).to.equal(true);
      expect((await stat(p)).mode & 0o7777).to.equal(0o600);
      expect((await t.readFile(p))?.equals(data)).to.equal(true);
      const st = await t.stat(p);
      expect(st?.size).to.equal(data.length);
      expect((st?.mode ?? 0) & 0o7777).to.equal(0o600);
      expect(st?.mtimeMs).to.equal(Math.floor((await stat(p)).mtimeMs / 1000) * 1000);
    });

    it('replaces an existing file atomically, keeping its mode, leaving no temporary files', async () => {
      const t = await pool.get('h');
      const p = join(dir, 'app.conf');
      await writeFile(p, 'old\n');
      await chmod(p, 0o640);
      await t.writeFile(p, Buffer.from('new\n'));
      expect(await readFile(p, 'utf8')).to.equal('new\n');
      expect((await stat(p)).mode & 0o7777).to.equal(0o640);
      expect((await readdir(dir)).filter((f) => f.includes('stackplay-tmp'))).to.deep.equal([]);
    });

    it('fails with SftpError (not unreachable) for a missing directory, leaving nothing behind', async () => {
      const t = await pool.get('h');
      const e = await t.writeFile(join(dir, 'missing', 'f'), Buffer.from('x')).then(() => null, (x: unknown) => x);
      expect(e).to.be.instanceOf(SftpError);
      expect((e as SftpError).path).to.include(join(dir, 'missing'));
      expect(t.alive).to.equal(true);
    });

    it('shares one sftp session and the channel budget with exec', async () => {
      const t = await pool.get('tight'); // 2 slots: sftp holds one, execs share the other
      const files = Array.from({ length: 12 }, (_, i) => join(dir, `f${i}`));
      const work = [
        ...files.map((f, i) => t.writeFile(f, Buffer.from(`content ${i}`))),
        ...[1, 2, 3, 4].map((i) => t.exec(`echo ${i}`).then((r) => r.stdout)),
      ];
      const results = await Promise.all(work);
      expect(results.slice(files.length)).to.deep.equal(['1\n', '2\n', '3\n', '4\n']);
      const back = await Promise.all(files.map((f) => t.readFile(f)));
      expect(back.map((b) => b?.toString())).to.deep.equal(files.map((_, i) => `content ${i}`));
    });
  });
}
