// The step reference is generated from the step definitions: docs/steps.md must be exactly what
// `stackplay steps --markdown` prints, every step type documents what it registers, and the
// hand-written pages it replaced are gone.

import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeSteps, stepsMarkdown } from '../../src/cli/commands/steps.js';
import { noStyle } from '../../src/renderers/style.js';
import { stepRegistry } from '../../src/steps/registry.js';
import { REPO_ROOT } from '../support/paths.js';

describe('docs: the step reference', () => {
  it('docs/steps.md is what `stackplay steps --markdown` prints (run `npm run docs:steps` after changing a step type)', () => {
    const page = readFileSync(join(REPO_ROOT, 'docs', 'steps.md'), 'utf8');
    const generated = stepsMarkdown();
    if (page !== generated) {
      const a = page.split('\n');
      const b = generated.split('\n');
      const at = a.findIndex((line, i) => line !== b[i]);
      expect.fail(`docs/steps.md differs from the step definitions at line ${at + 1}:\n  page:      ${a[at] ?? '(end)'}\n  generated: ${b[at] ?? '(end)'}\nRun 'npm run docs:steps'.`);
    }
  });

  it('every step type has a section with its arguments and its registered result', () => {
    const page = stepsMarkdown();
    for (const d of stepRegistry.values()) {
      const at = page.indexOf(`## \`${d.name}\``);
      expect(at, d.name).to.be.greaterThan(0);
      const section = page.slice(at, page.indexOf('\n## ', at + 1) >>> 0);
      for (const arg of Object.keys(d.args)) expect(section, `${d.name}: argument ${arg}`).to.include(`| \`${arg}\` |`);
      for (const field of Object.keys(d.result)) expect(section, `${d.name}: result field ${field}`).to.include(`| \`${field}\` |`);
    }
  });

  it('`stackplay steps TYPE` shows what the step registers', () => {
    const shell = describeSteps('shell', noStyle);
    expect(shell).to.match(/registers: changed, failed, msg \(when the step has one\), and:\n {2}rc +integer or null +exit code/);
    expect(describeSteps('cloudstack.routers', noStyle)).to.match(/\n {2}failed_routers +list of strings +routers that failed/);
    expect(describeSteps('fail', noStyle)).to.include('registers: changed, failed, msg (when the step has one)\n');
  });

  it('the hand-written step pages gave way to the generated one', () => {
    expect(existsSync(join(REPO_ROOT, 'docs', 'steps-ssh.md'))).to.equal(false);
    expect(existsSync(join(REPO_ROOT, 'docs', 'steps-cloudstack.md'))).to.equal(false);
  });
});
