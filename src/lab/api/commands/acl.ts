// Which owners a list call may see (AccountManagerImpl.buildACLSearchParameters, docs/cloudstack-facts.md §5.1): a root
// admin without listall/account/domainid sees only its own account's resources; project resources only
// with projectid=-1 (all projects) or a specific projectid.

import type { Args } from '../args.js';
import type { CommandContext } from '../types.js';
import type { Account, Domain, Project } from '../../world/types.js';

export type OwnerFilter = (accountId: string) => boolean;

export function ownerFilter(ctx: CommandContext, args: Args): OwnerFilter {
  const w = ctx.core.world;
  const project = args.entity<Project>('projectid');
  const listAll = args.bool('listall');
  const accountName = args.str('account');
  const domain = args.ref<Domain>('domainid');
  const isProject = (id: string): boolean => w.accounts.get(id)?.type === 'project';
  if (project !== undefined && project !== -1) return (id) => id === project.accountId;
  const includeProjects = project === -1;
  let base: OwnerFilter;
  if (accountName !== undefined) {
    const acct = [...w.accounts.values()].find(
      (a: Account) => a.name === accountName && (!domain || a.domainId === domain.id),
    );
    base = (id) => id === acct?.id;
  } else if (domain) base = (id) => w.accounts.get(id)?.domainId === domain.id;
  else if (listAll) base = () => true;
  else base = (id) => id === ctx.caller.account.id;
  return (id) => (isProject(id) ? includeProjects && (listAll || accountName === undefined) : base(id));
}
