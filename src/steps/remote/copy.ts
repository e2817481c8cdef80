// `copy`: put a local file (`src`) or inline `content` on the host at `dest`, with mode/owner/group.
// Changed only when content, mode or ownership differ; a dry run shows a unified diff (secrets are
// masked by the engine like every other output).

import { isUnknown } from '../../expr/unknown.js';
import { arg } from '../schema/arg.js';
import { allKnown, firstUnknown } from '../schema/schema.js';
import { defineStep, type StepContext } from '../types.js';
import { readSource } from './local-source.js';
import { applyPut, checkPut, PUT_ARGS, PUT_DOC, PUT_RESULT } from './put-file.js';

async function wanted(ctx: StepContext, args: { readonly src?: string; readonly content?: string }): Promise<{ data: Buffer; name: string | undefined }> {
  if (args.src !== undefined) {
    const s = await readSource(ctx, args.src);
    return { data: s.data, name: s.name };
  }
  return { data: Buffer.from(args.content ?? '', 'utf8'), name: undefined };
}

export const copyStep = defineStep({
  name: 'copy',
  summary: 'Upload a local file or inline content to the host (SFTP); changed only when different',
  description: [
    'Exactly one of `src` (a file on the machine running stackplay, relative to the playbook\'s directory; binary is fine) or `content`.',
    '',
    PUT_DOC,
    '',
    '```yaml',
    '- name: Tell the agent where the server is',
    '  copy: {content: "host={{ms_address}}\\n", dest: /etc/cloudstack/agent/host.conf, mode: \'0644\', become: true}',
    '```',
  ].join('\n'),
  result: PUT_RESULT,
  args: {
    src: arg.string('local file to upload (relative to the playbook directory)'),
    content: arg.string('inline content to write instead of src'),
    ...PUT_ARGS,
  },
  effect: 'write',
  runsOn: 'host',
  validate(args, report) {
    if ((args.src === undefined) === (args.content === undefined)) report('src', 'bad-value', "'copy' needs exactly one of 'src' or 'content'");
  },
  describe: (args) => `copy ${String(args.src ?? 'content')} to ${String(args.dest)}`,
  async check(ctx, args) {
    if (!allKnown(args)) {
      const u = firstUnknown(args)!;
      return { changed: true, unknown: `${u.name} is unknown in a dry run: ${u.reason}`, plan: `would write ${isUnknown(args.dest) ? 'a file' : args.dest}` };
    }
    const w = await wanted(ctx, args);
    return checkPut(ctx, args, w.data, w.name);
  },
  async apply(ctx, args) {
    const w = await wanted(ctx, args);
    return applyPut(ctx, args, w.data, w.name);
  },
});
