// How long operations take in lab time (milliseconds at speed 1). The job engine divides them by the
// lab's speed; LabOptions.durations overrides single entries.

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
