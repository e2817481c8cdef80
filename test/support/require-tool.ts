// Tests that need a tool from the machine (sudo, ssh-agent, ssh-keygen, a real CloudStack client) skip
// only on a developer machine without it; in CI (CI=true) a missing tool fails the test, so a skip can
// never hide a missing install step.

export function requireTool(ctx: Mocha.Context, available: boolean, what: string): void {
  if (available) return;
  if (process.env['CI'] === 'true') throw new Error(`${what} is required in CI (.ci/run installs it)`);
  ctx.skip();
}
