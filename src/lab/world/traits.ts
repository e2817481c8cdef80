// What a world is like beyond its layout, for the parts of the lab that act on it over time: how many
// tenant jobs come and go, how much operation durations spread. Set once by buildWorld; kept beside the
// World (not in it) so the world model stays a plain layout of records.

import type { PresetName } from './presets.js';
import type { World } from './world.js';

export interface WorldTraits {
  readonly preset: PresetName;
  /** About this many tenant jobs in flight at any time. */
  readonly backgroundJobs: number;
  /** Sigma of the log-normal spread of durations (0 = exact). */
  readonly durationsSpread: number;
}

const IDLE: WorldTraits = { preset: 'classic', backgroundJobs: 0, durationsSpread: 0 };
const traits = new WeakMap<World, WorldTraits>();

export function setTraits(world: World, t: WorldTraits): void {
  traits.set(world, t);
}

/** A world built without traits (a hand-made one in a test) is idle and exact. */
export function traitsOf(world: World): WorldTraits {
  return traits.get(world) ?? IDLE;
}
