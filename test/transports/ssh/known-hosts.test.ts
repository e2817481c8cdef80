// known_hosts parsing and matching, checked against OpenSSH's own tools where they exist
// (ssh-keygen -l for fingerprints, ssh-keygen -H for hashed entries).
import { requireTool } from '../../support/require-tool.js';
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  appendKnownHosts, checkHostKey, fingerprintOf, hostFieldMatches, keyTypeOf, knownHostsName, knownKeyTypes, parseKnownHosts,
} from '../../../src/transports/ssh/known-hosts.js';
import { hasSshKeygen, pubBlob, testKeys, type TestKeys } from '../../support/ssh-keys.js';
import { tempHome, type TempHome } from './fixture.js';

const run = promisify(execFile);

describe('transports/ssh known_hosts', () => {
  let keys: TestKeys;
  let home: TempHome;
  let blob: Buffer;
  let altBlob: Buffer;
  before(async () => {
    keys = await testKeys();
    home = await tempHome();
    blob = Buffer.from(pubBlob(keys.hostKey.pub), 'base64');
    altBlob = Buffer.from(pubBlob(keys.altHostKey.pub), 'base64');
  });
  after(() => home.remove());

  it('computes the SHA256 fingerprint exactly as ssh-keygen -l prints it', async function () {
    requireTool(this, hasSshKeygen(), 'ssh-keygen');
    const { stdout } = await run('/usr/bin/ssh-keygen', ['-l', '-E', 'sha256', '-f', `${keys.hostKey.path}.pub`]);
    const fromKeygen = stdout.split(/\s+/)[1];
    expect(fingerprintOf(blob)).to.equal(fromKeygen);
    expect(keyTypeOf(blob)).to.equal('ssh-ed25519');
  });

  it('uses [host]:port for non-22 ports only', () => {
    expect(knownHostsName('10.0.0.1', 22)).to.equal('10.0.0.1');
    expect(knownHostsName('10.0.0.1', 2222)).to.equal('[10.0.0.1]:2222');
  });

  it('matches plain, wildcard and negated patterns', () => {
    expect(hostFieldMatches('a.example,b.example', 'b.example')).to.equal(true);
    expect(hostFieldMatches('*.example', 'mgmt.example')).to.equal(true);
    expect(hostFieldMatches('*.example,!bad.example', 'bad.example')).to.equal(false);
    expect(hostFieldMatches('[127.0.0.?]:2222', '[127.0.0.3]:2222')).to.equal(true);
    expect(hostFieldMatches('[127.0.0.?]:2222', '[127.0.0.3]:2223')).to.equal(false);
    expect(hostFieldMatches('127.0.0.1', '[127.0.0.1]:2222')).to.equal(false);
    expect(hostFieldMatches('MGMT', 'mgmt')).to.equal(true);
  });

  it('matches entries hashed by ssh-keygen -H (HMAC-SHA1 with salt)', async function () {
    requireTool(this, hasSshKeygen(), 'ssh-keygen');
    const file = join(home.sshDir, 'hashed_known_hosts');
    const b64 = pubBlob(keys.hostKey.pub);
    await writeFile(file, `[127.0.0.7]:2200 ssh-ed25519 ${b64}\nplain.example ssh-ed25519 ${b64}\n`);
    await run('/usr/bin/ssh-keygen', ['-H', '-f', file]); // rewrites our temp file only (keeps file.old)
    const entries = parseKnownHosts(await readFile(file, 'utf8'), file);
    expect(entries).to.have.length(2);
    expect(entries.every((e) => e.hosts.startsWith('|1|'))).to.equal(true);
    expect(checkHostKey(entries, '[127.0.0.7]:2200', blob).status).to.equal('known');
    expect(checkHostKey(entries, 'plain.example', blob).status).to.equal('known');
    expect(checkHostKey(entries, '[127.0.0.7]:2201', blob).status).to.equal('unknown');
    expect(checkHostKey(entries, '[127.0.0.7]:2200', altBlob).status).to.equal('changed');
  });

  it('reports changed keys with the file and line they conflict with', () => {
    const text = `# comment\n\n[h]:2200 ssh-ed25519 ${pubBlob(keys.hostKey.pub)}\n`;
    const v = checkHostKey(parseKnownHosts(text, '/p/known_hosts'), '[h]:2200', altBlob);
    expect(v.status).to.equal('changed');
    if (v.status !== 'changed') return;
    expect(v.expected.map((e) => `${e.file}:${e.lineNumber}`)).to.deep.equal(['/p/known_hosts:3']);
  });

  it('treats a key of another type than the known ones as changed', () => {
    const text = `h ssh-rsa ${pubBlob(keys.rsaPem.pub)}\n`;
    const entries = parseKnownHosts(text, 'f');
    expect(checkHostKey(entries, 'h', blob).status).to.equal('changed');
    expect(knownKeyTypes(entries, 'h')).to.deep.equal(['ssh-rsa']);
  });

  it('rejects @revoked keys and ignores @cert-authority lines', () => {
    const b64 = pubBlob(keys.hostKey.pub);
    const revoked = parseKnownHosts(`@revoked * ssh-ed25519 ${b64}\nh ssh-ed25519 ${b64}\n`, 'f');
    expect(checkHostKey(revoked, 'h', blob).status).to.equal('revoked');
    const ca = parseKnownHosts(`@cert-authority h ssh-ed25519 ${b64}\n`, 'f');
    expect(checkHostKey(ca, 'h', blob).status).to.equal('unknown');
  });

  it('skips malformed lines and unknown markers', () => {
    const entries = parseKnownHosts(`only-two fields\n@weird h ssh-ed25519 AAAA\nh ssh-ed25519 ${pubBlob(keys.hostKey.pub)} comment here\n`, 'f');
    expect(entries).to.have.length(1);
    expect(entries[0]?.lineNumber).to.equal(3);
  });

  it('appends without duplicates, adding a newline to a file that lacks one', async () => {
    const file = join(home.dir, 'sub', 'known_hosts');
    await appendKnownHosts(file, ['a ssh-ed25519 AAAA']);
    await writeFile(file, 'a ssh-ed25519 AAAA'); // no trailing newline
    await Promise.all([appendKnownHosts(file, ['b ssh-ed25519 BBBB', 'a ssh-ed25519 AAAA']), appendKnownHosts(file, ['c ssh-ed25519 CCCC'])]);
    expect(await readFile(file, 'utf8')).to.equal('a ssh-ed25519 AAAA\nb ssh-ed25519 BBBB\nc ssh-ed25519 CCCC\n');
  });
});
