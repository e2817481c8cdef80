// Independent signature oracles for the signing tests: openssl over a hand-written string-to-sign,
// the JDK's own URLEncoder/HmacSHA1 in the server's loop (fixtures/ServerSignature.java), and the
// Python `cs` client (Debian python3-cs). None of them shares code with src/cloudstack/signing.ts.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Vector {
  readonly secret: string;
  readonly params: Readonly<Record<string, string>>;
}

/** The repository root, found from the compiled test file (works for dist/ and .build/NAME/). */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) || !existsSync(path.join(dir, 'test'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
  return dir;
}

/** `printf '%s' STRING | openssl dgst -sha1 -hmac KEY -binary | base64` */
export function opensslHmacSha1Base64(stringToSign: string, key: string): string {
  const digest = execFileSync('openssl', ['dgst', '-sha1', '-hmac', key, '-binary'], { input: stringToSign });
  return execFileSync('base64', [], { input: digest }).toString('utf8').trim();
}

/** True when the tool exists; under CI=true a missing oracle is a failure, never a skip. */
export function oracleAvailable(name: 'java' | 'python-cs'): boolean {
  const ok =
    name === 'java'
      ? spawnSync('java', ['-version']).status === 0
      : pythonWithCs() !== undefined;
  if (!ok && process.env['CI'] === 'true') {
    throw new Error(`${name} is required in CI for the signing tests (install: ${name === 'java' ? 'openjdk' : 'apt-get install -y python3-cs'})`);
  }
  return ok;
}

function b64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

/** Signatures and strings-to-sign as the server computes them, via fixtures/ServerSignature.java. */
export function javaServerSignatures(vectors: readonly Vector[]): { signature: string; stringToSign: string }[] {
  const input = vectors
    .map((v) => [b64(v.secret), ...Object.entries(v.params).flatMap(([k, val]) => [b64(k), b64(val)])].join(' '))
    .join('\n');
  const source = path.join(repoRoot(), 'test', 'cloudstack', 'fixtures', 'ServerSignature.java');
  const out = execFileSync('java', [source], { input: `${input}\n`, timeout: 60_000 }).toString('utf8');
  return out
    .trim()
    .split('\n')
    .map((line) => {
      const [signature = '', stringToSign = ''] = line.split('\t');
      return { signature, stringToSign };
    });
}

let pythonCache: string | null | undefined;
function pythonWithCs(): string | undefined {
  if (pythonCache !== undefined) return pythonCache ?? undefined;
  // Debian's python3-cs lands in /usr/bin/python3's path; a pyenv python3 on PATH would not see it.
  for (const py of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(py, ['-c', 'import cs.client']).status === 0) {
      pythonCache = py;
      return py;
    }
  }
  pythonCache = null;
  return undefined;
}

const PY_SIGN = `
import sys, json
from cs.client import CloudStack
out = []
for v in json.load(sys.stdin):
    c = CloudStack('http://127.0.0.1/client/api', 'unused', v['secret'])
    d = dict(v['params'])
    c._sign(d)
    out.append(d['signature'])
print(json.dumps(out))
`;

/** Signatures from the Python `cs` client's own `_sign` (quote(safe="*"), sorted, lower, HMAC-SHA1). */
export function pythonCsSignatures(vectors: readonly Vector[]): string[] {
  const py = pythonWithCs();
  if (!py) throw new Error('python3 with the cs module not found');
  const out = execFileSync(py, ['-c', PY_SIGN], { input: JSON.stringify(vectors), timeout: 60_000 });
  return JSON.parse(out.toString('utf8')) as string[];
}
