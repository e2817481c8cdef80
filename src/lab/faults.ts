// Fault injection: the ways a real upgrade goes wrong, switched on per lab (options or lab YAML) or at
// run time (Lab.setFaults). Each rule with `times` is consumed as it fires; without, it fires forever.

export interface JobFault {
  /** VM name (r-3-VM) or uuid. */
  readonly vm: string;
  /** API command whose job fails (stopSystemVm, startSystemVm, rebootRouter, patchSystemVm, …); any if absent. */
  readonly command?: string;
  readonly errorcode?: number;
  readonly errortext?: string;
  readonly times?: number;
}

export interface ApiFault {
  readonly command: string;
  readonly errorcode?: number;
  readonly errortext?: string;
  readonly times?: number;
}

export interface LabFaults {
  /** Async jobs that fail for a chosen VM. */
  readonly failJob?: readonly JobFault[];
  /** Routers (names or uuids) whose live patch fails silently: the restart job succeeds, the router stays old. */
  readonly silentPatchFailure?: readonly string[];
  /** Lab milliseconds the management server stays down on restart (overrides restartDelayMs). */
  readonly restartDelayMs?: number;
  /** The management server never comes back after a restart/stop+start. */
  readonly restartNever?: boolean;
  /** Drop every SSH connection after it has run this many exec commands. */
  readonly sshDropAfter?: number;
  /** Synchronous API error (default 530) on a chosen command. */
  readonly apiError?: readonly ApiFault[];
}

interface Counted<T> {
  readonly rule: T;
  left: number;
}

export class FaultState {
  private jobRules: Counted<JobFault>[] = [];
  private apiRules: Counted<ApiFault>[] = [];
  private silent = new Set<string>();
  restartDelayMs: number | undefined;
  restartNever = false;
  sshDropAfter: number | undefined;

  constructor(f: LabFaults = {}) {
    this.set(f);
  }

  set(f: LabFaults): void {
    this.jobRules = (f.failJob ?? []).map((rule) => ({ rule, left: rule.times ?? Infinity }));
    this.apiRules = (f.apiError ?? []).map((rule) => ({ rule, left: rule.times ?? Infinity }));
    this.silent = new Set(f.silentPatchFailure ?? []);
    this.restartDelayMs = f.restartDelayMs;
    this.restartNever = f.restartNever ?? false;
    this.sshDropAfter = f.sshDropAfter;
  }

  /** A job failure for this command on this VM, consuming one use of the rule. */
  takeJobFailure(command: string, vm: { readonly name: string; readonly id: string }): { code: number; text?: string } | undefined {
    for (const c of this.jobRules) {
      if (c.left <= 0) continue;
      if (c.rule.vm !== vm.name && c.rule.vm !== vm.id) continue;
      if (c.rule.command && c.rule.command.toLowerCase() !== command.toLowerCase()) continue;
      c.left--;
      return { code: c.rule.errorcode ?? 530, ...(c.rule.errortext ? { text: c.rule.errortext } : {}) };
    }
    return undefined;
  }

  takeApiError(command: string): { code: number; text: string } | undefined {
    for (const c of this.apiRules) {
      if (c.left <= 0 || c.rule.command.toLowerCase() !== command.toLowerCase()) continue;
      c.left--;
      return { code: c.rule.errorcode ?? 530, text: c.rule.errortext ?? 'Internal error executing command, please contact your system administrator' };
    }
    return undefined;
  }

  silentPatch(router: { readonly name: string; readonly id: string }): boolean {
    return this.silent.has(router.name) || this.silent.has(router.id);
  }
}
