// User errors are data: every problem found while loading a playbook or inventory has a code, a
// message and a position, and all of them are reported together before anything runs.

export interface Position {
  readonly file: string;
  readonly line: number; // 1-based
  readonly col: number; // 1-based
  readonly offset: number;
  readonly length: number;
}

export interface Problem {
  readonly code: string;
  readonly message: string;
  readonly pos: Position | null;
  readonly hint?: string;
}

/** Collects problems; the loader keeps going after each one so the user sees them all at once. */
export class ProblemList {
  readonly items: Problem[] = [];
  /** Problems already reported: an alias shares its anchored node, whose problems are found once per use. */
  private readonly seen = new Set<string>();

  add(code: string, message: string, pos: Position | null, hint?: string): void {
    const key = `${pos?.file ?? ''}\0${pos?.offset ?? -1}\0${code}\0${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push(hint === undefined ? { code, message, pos } : { code, message, pos, hint });
  }

  get ok(): boolean {
    return this.items.length === 0;
  }

  sorted(): Problem[] {
    return [...this.items].sort((a, b) => {
      const fa = a.pos?.file ?? '';
      const fb = b.pos?.file ?? '';
      if (fa !== fb) return fa < fb ? -1 : 1;
      return (a.pos?.offset ?? 0) - (b.pos?.offset ?? 0);
    });
  }
}

/** Raised when loading cannot proceed; carries every problem found so far. */
export class InvalidInputError extends Error {
  constructor(readonly problems: readonly Problem[]) {
    super(`${problems.length} problem${problems.length === 1 ? '' : 's'} in the input`);
    this.name = 'InvalidInputError';
  }
}
