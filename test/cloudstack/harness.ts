// Shared set-up for the client tests: test credentials, a fake clock whose sleep advances time
// instantly, and a client wired to collect events and registered secrets.
import { createCloudStackClient } from '../../src/cloudstack/client.js';
import { expectNoSecrets } from './fake-server.js';
import type { CloudStackClient, CloudStackClientOptions, CloudStackEndpoint, CloudStackEvent } from '../../src/cloudstack/types.js';

export const API_KEY = 'AKtest-apikey_0123456789';
export const SECRET_KEY = 'SKtest/secret+key=0123456789';
export const PASSWORD = 'pw-S3cret!pass';
export const START = Date.UTC(2025, 10, 24, 13, 55, 0);

export interface Harness {
  readonly client: CloudStackClient;
  readonly events: CloudStackEvent[];
  readonly sleeps: number[];
  readonly registered: string[];
  /** The fake clock (epoch ms); sleep() advances it. */
  now: number;
}

export function harness(endpoint: Partial<CloudStackEndpoint> & { url: string }, opts: CloudStackClientOptions = {}): Harness {
  const h: Harness = {
    events: [],
    sleeps: [],
    registered: [],
    now: START,
    client: undefined as unknown as CloudStackClient,
  };
  const client = createCloudStackClient(
    { name: 'ms1', ...endpoint },
    {
      clock: () => h.now,
      sleep: async (ms) => {
        h.sleeps.push(ms);
        h.now += ms;
      },
      onEvent: (e) => h.events.push(e),
      secrets: { add: (v) => h.registered.push(v) },
      retry: { retries: 3, delayMs: 1000 },
      ...opts,
    },
  );
  (h as { client: CloudStackClient }).client = client;
  live.push(h);
  return h;
}

export function signedEndpoint(url: string, extra: Partial<CloudStackEndpoint> = {}): Partial<CloudStackEndpoint> & { url: string } {
  return { url, apiKey: API_KEY, secretKey: SECRET_KEY, ...extra };
}

const live: Harness[] = [];
const caught: Error[] = [];

/**
 * For an afterEach hook: no secret — the test credentials, whatever the clients registered as secret
 * (signatures, session keys, cookies) and `extra` (e.g. what the server received) — appears in any
 * event or any error caught with rejection() during the test. Closes the test's clients.
 */
export function assertNoLeaks(extra: readonly string[] = []): void {
  const harnesses = live.splice(0);
  const errors = caught.splice(0);
  for (const h of harnesses) h.client.close();
  const secrets = [API_KEY, SECRET_KEY, PASSWORD, ...extra, ...harnesses.flatMap((h) => h.registered)];
  expectNoSecrets([...errors, ...harnesses.flatMap((h) => h.events)], secrets);
}

/** Awaits a promise that must reject, and returns its error. */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    if (err instanceof Error) {
      caught.push(err);
      return err;
    }
    throw new Error(`rejected with a non-Error: ${String(err)}`);
  }
  throw new Error('expected a rejection, but the promise resolved');
}
