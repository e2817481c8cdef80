// How long operations take in lab time (milliseconds at speed 1). The job engine divides them by the
// lab's speed; LabOptions.durations overrides single entries; world.durations_spread draws each
// operation's duration around them.

import { createHash } from 'node:crypto';

export interface Durations {
  readonly stop: number;
  readonly start: number;
  readonly destroy: number;
  readonly patch: number;
  readonly restartNetwork: number;
  readonly restartVpc: number;
  /** Agent of a started/patched SSVM/CPVM goes Connecting → Up after this. */
  readonly agentConnect: number;
  /** Management server restart: listeners closed for this long. */
  readonly restart: number;
}

export const DEFAULT_DURATIONS: Durations = {
  stop: 20_000,
  start: 40_000,
  destroy: 20_000,
  patch: 15_000,
  restartNetwork: 30_000,
  restartVpc: 45_000,
  agentConnect: 5_000,
  restart: 30_000,
};

/**
 * Durations drawn around their nominal value, seeded and deterministic: a log-normal factor with sigma
 * `spread` (median = nominal), and one draw in twenty a straggler that takes 1 + Exp(3) times longer, so a
 * batch always has a slow member. The n-th draw for a key (operation and VM) is the same in every run,
 * whatever order the operations happen in. A spread of 0 gives the nominal value, always.
 */
export class DurationDraws {
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly seed: string | number,
    private readonly spread: number,
  ) {}

  draw(nominal: number, key: string): number {
    if (this.spread <= 0 || nominal <= 0) return nominal;
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    const [u1, u2, u3, u4] = uniforms(`${this.seed}\u0000${key}\u0000${n}`);
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    let factor = Math.exp(this.spread * z);
    if (u3 < 0.05) factor *= 1 + 3 * -Math.log(u4);
    return Math.max(1, Math.round(nominal * factor));
  }
}

/** Four uniform numbers in (0, 1) from a hash of the text. */
export function uniforms(text: string): [number, number, number, number] {
  const h = createHash('sha256').update(text).digest();
  const u = (i: number): number => (h.readUInt32BE(i * 4) + 1) / 4_294_967_297;
  return [u(0), u(1), u(2), u(3)];
}
