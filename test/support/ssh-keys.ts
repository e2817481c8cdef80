// Test key material, generated once per test process in a temp dir (removed at exit): two host keys,
// client keys in OpenSSH (ed25519), PEM (RSA) and passphrase-protected formats. ssh-keygen when
// installed, so the formats are OpenSSH's own; ssh2/node:crypto otherwise.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ssh2 from 'ssh2';

const run = promisify(execFile);

export interface KeyPair {
  /** Path of the private key file. */
  readonly path: string;
  /** Public key line, "type base64 comment". */
  readonly pub: string;
}

export interface TestKeys {
  readonly dir: string;
  readonly hostKey: KeyPair;
  /** RSA host key, served in addition when a test asks for two host key types. */
  readonly hostKeyRsa: KeyPair;
  /** A second host key, for "changed key" scenarios. */
  readonly altHostKey: KeyPair;
  readonly ed25519: KeyPair;
  readonly rsaPem: KeyPair;
  /** ed25519 in OpenSSH format, encrypted with `passphrase`. */
  readonly encrypted: KeyPair;
  readonly passphrase: string;
  /** A key no server authorizes. */
  readonly stranger: KeyPair;
}

const SSH_KEYGEN = '/usr/bin/ssh-keygen';
export const hasSshKeygen = (): boolean => existsSync(SSH_KEYGEN);

async function keygen(path: string, type: 'ed25519' | 'rsa', opts: { pem?: boolean; passphrase?: string } = {}): Promise<KeyPair> {
  if (hasSshKeygen()) {
    const args = ['-q', '-t', type, '-f', path, '-N', opts.passphrase ?? '', '-C', 'stackplay-test'];
    if (type === 'rsa') args.push('-b', '2048');
    if (opts.pem) args.push('-m', 'PEM');
    await run(SSH_KEYGEN, args);
  } else if (opts.pem) {
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    await writeFile(path, privateKey);
    const parsed = ssh2.utils.parseKey(privateKey);
    if (parsed instanceof Error) throw parsed;
    await writeFile(`${path}.pub`, `ssh-rsa ${parsed.getPublicSSH().toString('base64')} stackplay-test\n`);
  } else {
    const kp = ssh2.utils.generateKeyPairSync(type, {
      comment: 'stackplay-test', ...(type === 'rsa' ? { bits: 2048 } : {}),
      ...(opts.passphrase ? { passphrase: opts.passphrase, cipher: 'aes256-ctr' } : {}),
    } as never);
    await writeFile(path, kp.private);
    await writeFile(`${path}.pub`, `${kp.public}\n`);
  }
  await chmod(path, 0o600);
  return { path, pub: (await readFile(`${path}.pub`, 'utf8')).trim() };
}

let cached: Promise<TestKeys> | null = null;

export function testKeys(): Promise<TestKeys> {
  cached ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stackplay-keys-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const passphrase = "correct horse 'battery' staple";
    const [hostKey, hostKeyRsa, altHostKey, ed25519, rsaPem, encrypted, stranger] = await Promise.all([
      keygen(join(dir, 'host_ed25519'), 'ed25519'),
      keygen(join(dir, 'host_rsa'), 'rsa'),
      keygen(join(dir, 'host_ed25519_alt'), 'ed25519'),
      keygen(join(dir, 'id_ed25519'), 'ed25519'),
      keygen(join(dir, 'id_rsa_pem'), 'rsa', { pem: true }),
      keygen(join(dir, 'id_encrypted'), 'ed25519', { passphrase }),
      keygen(join(dir, 'id_stranger'), 'ed25519'),
    ]);
    return { dir, hostKey, hostKeyRsa, altHostKey, ed25519, rsaPem, encrypted, passphrase, stranger };
  })();
  return cached;
}

/** The base64 blob of a public key line. */
export function pubBlob(pubLine: string): string {
  const b64 = pubLine.split(/\s+/)[1];
  if (b64 === undefined) throw new Error(`not a public key line: ${pubLine}`);
  return b64;
}
