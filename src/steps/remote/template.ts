// `template`: render a local Handlebars file with the step's variables and put the result on the host
// like `copy` does. Template errors point at the template file's own line and column.

import { isUnknown } from '../../expr/unknown.js';
import { render, TemplateError } from '../../template/index.js';
import { arg } from '../schema/arg.js';
import { allKnown, firstUnknown, type ArgsOf } from '../schema/schema.js';
import { defineStep, StepFailedError, type StepContext } from '../types.js';
import { readSource } from './local-source.js';
import { applyPut, checkPut, PUT_ARGS, PUT_DOC, PUT_RESULT } from './put-file.js';

const TEMPLATE_ARGS = {
  src: arg.string('local template file (relative to the playbook directory)').required(),
  vars: arg.map(arg.any(), 'extra variables for the template'),
  ...PUT_ARGS,
};

function position(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${(before[before.length - 1]?.length ?? 0) + 1}`;
}

/** Renders the template; an Unknown (dry run) comes back as such. */
async function renderSource(ctx: StepContext, args: ArgsOf<typeof TEMPLATE_ARGS>): Promise<{ data: Buffer; name: string } | { unknown: string }> {
  const s = await readSource(ctx, args.src);
  const text = s.data.toString('utf8');
  let out: unknown;
  try {
    out = render(text, { ...ctx.vars, ...(args.vars ?? {}) });
  } catch (err) {
    if (err instanceof TemplateError) throw new StepFailedError(`${s.path}:${position(text, err.offset)}: ${err.message}`);
    throw err;
  }
  if (isUnknown(out)) return { unknown: out.reason };
  const rendered = typeof out === 'string' ? out : typeof out === 'object' && out !== null ? JSON.stringify(out) : String(out);
  return { data: Buffer.from(rendered, 'utf8'), name: s.name };
}

export const templateStep = defineStep({
  name: 'template',
  summary: 'Render a local Handlebars template with the step\'s variables and upload it; changed only when different',
  description: [
    '`src` is a Handlebars file relative to the playbook\'s directory, rendered with the step\'s variables (and `vars`, for this '
      + 'template only) in the same dialect and with the same helpers as playbook strings: strict, so an undefined variable fails with '
      + '`file.hbs:LINE:COL: undefined variable \'x\'`.',
    '',
    PUT_DOC,
    '',
    '```yaml',
    '- name: Management-server overrides',
    '  template: {src: templates/server.properties.hbs, dest: /etc/cloudstack/management/server.properties, owner: cloud, group: cloud}',
    '```',
  ].join('\n'),
  result: PUT_RESULT,
  args: TEMPLATE_ARGS,
  effect: 'write',
  runsOn: 'host',
  describe: (args) => `render ${String(args.src)} to ${String(args.dest)}`,
  async check(ctx, args) {
    if (!allKnown(args)) {
      const u = firstUnknown(args)!;
      return { changed: true, unknown: `${u.name} is unknown in a dry run: ${u.reason}`, plan: `would render ${String(args.src)}` };
    }
    const r = await renderSource(ctx, args);
    if ('unknown' in r) return { changed: true, unknown: `the rendered template depends on an unknown value: ${r.unknown}`, plan: `would render ${args.src} to ${args.dest}` };
    return checkPut(ctx, args, r.data, r.name);
  },
  async apply(ctx, args) {
    const r = await renderSource(ctx, args);
    if ('unknown' in r) throw new StepFailedError(`template ${args.src} rendered an unknown value: ${r.unknown}`);
    return applyPut(ctx, args, r.data, r.name);
  },
});
