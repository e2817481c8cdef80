// Parsed, typed command arguments: values after the dispatcher translated uuids into lab entities and
// parsed booleans and integers the way CloudStack's ParamProcessWorker does.

export class Args {
  constructor(private readonly values: ReadonlyMap<string, unknown>) {}

  has(name: string): boolean {
    return this.values.has(name);
  }

  str(name: string): string | undefined {
    const v = this.values.get(name);
    return typeof v === 'string' ? v : undefined;
  }

  bool(name: string): boolean {
    return this.values.get(name) === true;
  }

  int(name: string): number | undefined {
    const v = this.values.get(name);
    return typeof v === 'number' ? v : undefined;
  }

  /** A translated entity, or -1 for the special `-1` id (projectid=-1), or undefined. */
  entity<T>(name: string): T | -1 | undefined {
    return this.values.get(name) as T | -1 | undefined;
  }

  /** Entity, treating the special -1 as absent. */
  ref<T>(name: string): T | undefined {
    const v = this.values.get(name);
    return v === -1 ? undefined : (v as T | undefined);
  }
}
