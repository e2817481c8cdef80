// Errors of the HTTP transport, apart from the transport itself: step types and CloudStack helpers
// classify connection failures without loading node:http, node:https and node:tls at start-up.
import type { Duplex } from 'node:stream';

export type ConnectFn = (host: string, port: number) => Promise<Duplex>;

export type HttpConnectionErrorCode = 'refused' | 'reset' | 'timeout' | 'unreachable' | 'tls' | 'other';

/**
 * The connection failed or broke before a complete response arrived. `code` drives retry decisions:
 * `refused` means the request never reached the server; `reset` and `timeout` mean it may have.
 */
export class HttpConnectionError extends Error {
  override readonly name = 'HttpConnectionError';
  constructor(
    readonly code: HttpConnectionErrorCode,
    readonly target: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const SYSCALL_CODES: Readonly<Record<string, HttpConnectionErrorCode>> = {
  ECONNREFUSED: 'refused',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ECONNABORTED: 'reset',
  ETIMEDOUT: 'timeout',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  ENOTFOUND: 'unreachable',
  EAI_AGAIN: 'unreachable',
};

/** Maps a socket/tunnel error to our code. SSH tunnels report refusal only in the message text. */
export function classifyConnectionError(err: unknown): HttpConnectionErrorCode {
  if (err instanceof HttpConnectionError) return err.code;
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const mapped = SYSCALL_CODES[code];
  if (mapped) return mapped;
  if (code.startsWith('ERR_TLS') || code.includes('CERT') || code.startsWith('ERR_SSL')) return 'tls';
  const msg = typeof e?.message === 'string' ? e.message : '';
  if (/refused/i.test(msg)) return 'refused';
  if (/socket hang up|reset/i.test(msg)) return 'reset';
  if (/timed? ?out/i.test(msg)) return 'timeout';
  return 'other';
}

const DESCRIPTIONS: Readonly<Record<HttpConnectionErrorCode, string>> = {
  refused: 'connection refused by',
  reset: 'connection reset by',
  timeout: 'timed out talking to',
  unreachable: 'cannot reach',
  tls: 'TLS handshake failed with',
  other: 'connection failed to',
};

export function connectionError(code: HttpConnectionErrorCode, target: string, cause?: unknown): HttpConnectionError {
  // Only the host:port goes into the text: the path and query can contain API keys and signatures.
  const detail = cause instanceof Error && code === 'tls' ? ` (${cause.message})` : '';
  return new HttpConnectionError(code, target, `${DESCRIPTIONS[code]} ${target}${detail}`, { cause });
}

