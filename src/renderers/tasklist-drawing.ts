// How the live task list is drawn: listr2's default renderer, with frames coalesced and the run's
// notices (a signal came, what is still being reverted) under the list.

import type { DefaultRenderer } from 'listr2';
import type { Styler } from './style.js';

const FRAME_MS = 100;

/** The drawing, once it can draw: notices ask it for a frame; a forced exit ends it. */
export interface LiveList {
  update(): void;
  end(): void;
}

/**
 * listr2 redraws the whole list (wrapping every line, twice) on every title or output change, and on
 * a 100 ms spinner besides: at 1,000 routers that was seconds of CPU. Here the spinner is off (lazy;
 * running steps show their elapsed time instead, once a second) and changes arriving together make
 * one frame, at most every FRAME_MS. Notices are drawn under the list: while it is drawn, listr2
 * holds back everything written to stdout and stderr until it ends.
 */
/** listr2's private per-task output buffers (9.x), reached at the one place the drawing needs them. */
interface OutputSeam {
  setupBuffer(task: { readonly id: string; readonly output?: unknown }): void;
  readonly buffer: { readonly output: Map<string, { write(data: string): unknown }> };
}

export function coalescedRenderer(Base: typeof DefaultRenderer, notices: readonly string[], s: Styler, onReady: (live: LiveList) => void): typeof DefaultRenderer {
  return class CoalescedRenderer extends Base {
    private frame: NodeJS.Timeout | undefined;
    private ended = false;
    /** render() loads its modules first: until then there is nothing to draw with (or to end). */
    private ready = false;
    constructor(...args: ConstructorParameters<typeof DefaultRenderer>) {
      super(...args);
      // listr2 starts listening to a task's output when a frame first draws the task: a line set before
      // (a step's progress given as it starts, "pausing 1m00s") was lost until the step said something
      // else. Hand the task's current output to the buffer listr2 has just made for it.
      const seam = this as unknown as OutputSeam;
      const setup = seam.setupBuffer.bind(this);
      seam.setupBuffer = (task) => {
        const fresh = !seam.buffer.output.has(task.id);
        setup(task);
        if (fresh && typeof task.output === 'string' && task.output !== '') seam.buffer.output.get(task.id)?.write(task.output);
      };
    }
    override async render(): Promise<void> {
      await super.render();
      this.ready = true;
      onReady(this);
    }
    override update(): void {
      if (!this.ready || this.ended || this.frame) return;
      this.frame = setTimeout(() => {
        this.frame = undefined;
        if (!this.ended) super.update();
      }, FRAME_MS);
    }
    override create(options?: Parameters<DefaultRenderer['create']>[0]): string {
      const frame = super.create(options);
      return notices.length === 0 ? frame : `${frame}\n\n${notices.map((n) => s.yellow(n)).join('\n')}`;
    }
    override end(): void {
      if (this.ended) return;
      this.ended = true;
      if (this.frame) clearTimeout(this.frame);
      if (this.ready) super.end();
    }
  };
}
