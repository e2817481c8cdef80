// Login sessions (ApiServer.loginUser, HttpUtils.validateSessionKey at 4.20.1.0): a JSESSIONID cookie plus a sessionkey that must be presented as
// cookie and/or parameter depending on api.sessionkey.check.locations. Keys are random, never logged.

import { randomBytes } from 'node:crypto';

export interface Session {
  readonly id: string;
  readonly key: string;
  readonly userId: string;
  lastAccess: number;
}

export const SESSION_TIMEOUT_S = 1800;

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  create(userId: string, now: number): Session {
    const s: Session = {
      id: randomBytes(16).toString('hex').toUpperCase(),
      key: randomBytes(20).toString('base64url'),
      userId,
      lastAccess: now,
    };
    this.sessions.set(s.id, s);
    return s;
  }

  /** The live session for a JSESSIONID, dropping it when it timed out. */
  get(id: string | undefined, now: number): Session | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    if (now - s.lastAccess > SESSION_TIMEOUT_S * 1000) {
      this.sessions.delete(id);
      return undefined;
    }
    return s;
  }

  delete(id: string): void {
    this.sessions.delete(id);
  }

  count(): number {
    return this.sessions.size;
  }
}
