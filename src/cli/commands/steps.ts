// `stackplay steps`: the step types, their arguments and what they register, generated from their
// definitions — on the terminal, or as the Markdown of docs/steps.md (`--markdown`).

import type { Styler } from '../../renderers/style.js';
import { stepRegistry } from '../../steps/registry.js';
import { documentArgument } from '../../steps/schema/docs.js';
import type { StepType } from '../../steps/types.js';
import { UsageError } from '../../app/errors.js';
import { didYouMean } from '../../diagnostics/suggest.js';

const sorted = (): StepType[] => [...stepRegistry.values()].sort((a, b) => a.name.localeCompare(b.name));

export function describeSteps(type: string | undefined, s: Styler): string {
  const defs = sorted();
  if (type === undefined) {
    const w = Math.max(...defs.map((d) => d.name.length));
    const lines = defs.map((d) => `  ${s.bold(d.name.padEnd(w))}  ${s.dim(d.effect.padEnd(5))}  ${d.summary}`);
    return `${s.bold('Step types')} (effect: read = runs in a dry run, write = predicted, none = local logic)\n${lines.join('\n')}\n\nRun 'stackplay steps TYPE' for arguments.\n`;
  }
  const d = stepRegistry.get(type);
  if (!d) throw new UsageError(`unknown step type '${type}'${didYouMean(type, stepRegistry.keys())}`);
  const out = [`${s.bold(d.name)} — ${d.summary}`, `effect: ${d.effect}${d.primary ? `; a plain value fills '${d.primary}'` : ''}`];
  if (d.description) out.push('', d.description);
  const args = Object.entries(d.args).map(([n, a]) => [n, documentArgument(a)] as const);
  if (args.length) {
    out.push('', 'arguments:');
    const w = Math.max(...args.map(([n]) => n.length));
    const tw = Math.max(...args.map(([, a]) => a.type.length));
    for (const [n, a] of args) {
      out.push(`  ${n.padEnd(w)}  ${s.dim(a.type.padEnd(tw))}  ${a.description}${a.notes.length ? s.dim(` (${a.notes.join(', ')})`) : ''}`);
    }
  } else if (d.freeform) out.push('', 'arguments: any variable names');
  const result = Object.entries(d.result);
  out.push('', `registers: changed, failed, msg (when the step has one)${result.length ? ', and:' : ''}`);
  if (result.length) {
    const w = Math.max(...result.map(([n]) => n.length));
    const tw = Math.max(...result.map(([, [t]]) => t.length));
    for (const [n, [t, what]] of result) out.push(`  ${n.padEnd(w)}  ${s.dim(t.padEnd(tw))}  ${what}`);
  }
  return `${out.join('\n')}\n`;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

const RUNS_ON = { host: "the play's hosts (over SSH; on the runner for the implicit `localhost`)", runner: 'the machine running stackplay' } as const;

/** docs/steps.md: every step type, from its definition. */
export function stepsMarkdown(): string {
  const defs = sorted();
  const out = [
    '# Step reference',
    '',
    '<!-- Generated from the step definitions in src/steps/ by `stackplay steps --markdown` (`npm run docs:steps` writes',
    '     this file); test/docs/steps-reference.test.ts fails when it drifts. Edit the definitions, not this page. -->',
    '',
    'A step is `name` + exactly one step-type key + the common keys (`when`, `register`, `loop`, `until`, `retries`, `undo`, …;',
    'see [dsl.md](dsl.md)). Effect: a `read` step runs for real in a dry run, a `write` step is predicted from live state (its',
    'check reads, nothing is changed), `none` is local logic. Durations are numbers of seconds or strings like `\'500ms\'`,',
    '`\'30s\'`, `\'5m\'`; every wait goes through the run\'s clock, so an interrupt cuts it short. Secrets are masked in every',
    'output path: streamed lines, plans, diffs, messages.',
    '',
    'What `register:` gets: the fields listed under each step, and for every step `changed`, `failed` and (when the step has',
    'a message) `msg`. A skipped step registers `skipped: true`; a looped step registers `results`, one result per item, each',
    'with the loop variable.',
    '',
    '| step | effect | summary |',
    '|---|---|---|',
    ...defs.map((d) => `| \`${d.name}\` | ${d.effect} | ${cell(d.summary)} |`),
  ];
  for (const d of defs) {
    out.push('', `## \`${d.name}\``, '', cell(d.summary), '');
    const facts = [`Effect: ${d.effect}`, `runs on ${RUNS_ON[d.runsOn ?? 'runner']}`];
    if (d.primary) facts.push(`a plain value fills \`${d.primary}\``);
    out.push(`${facts.join(' · ')}.`);
    if (d.description) out.push('', d.description);
    const args = Object.entries(d.args).map(([n, a]) => [n, documentArgument(a)] as const);
    if (args.length) {
      out.push('', '| argument | type | | |', '|---|---|---|---|');
      for (const [n, a] of args) out.push(`| \`${n}\` | ${cell(a.type)} | ${cell(a.notes.join(', '))} | ${cell(a.description)} |`);
    } else if (d.freeform) out.push('', 'Arguments: any variable names.');
    const result = Object.entries(d.result);
    if (result.length) {
      out.push('', 'Registers:', '', '| field | type | |', '|---|---|---|');
      for (const [n, [t, what]] of result) out.push(`| \`${n}\` | ${cell(t)} | ${cell(what)} |`);
    } else out.push('', 'Registers nothing of its own.');
  }
  return `${out.join('\n')}\n`;
}
