// Which owners a list call may see, as AccountManagerImpl.buildACLSearchParameters decides it (4.20.1.0):
// a root admin without listall/account/domainid sees only its own account's resources; projectid=-1 alone
// means project resources only (ListProjectResourcesOnly), with listall everything (ListAllIncludingProjectResources);
// without projectid project resources are skipped.

import { paramError } from '../errors.js';
import type { Args } from '../args.js';
import type { CommandContext, CommandDef } from '../types.js';
import type { Account, Domain, Project } from '../../world/types.js';

export type OwnerFilter = (accountId: string) => boolean;

/** The parameters ownerFilter reads, as the list commands of owned resources declare them. */
export const ACL_PARAMS: CommandDef['params'] = [
  { name: 'account', type: 'string' }, { name: 'domainid', type: 'uuid', entity: 'domain' }, { name: 'isrecursive', type: 'boolean' },
  { name: 'listall', type: 'boolean' }, { name: 'projectid', type: 'uuid', entity: 'project' }, { name: 'keyword', type: 'string' },
];

export function ownerFilter(ctx: CommandContext, args: Args): OwnerFilter {
  const w = ctx.core.world;
  const project = args.entity<Project>('projectid');
  const listAll = args.bool('listall');
  const accountName = args.str('account');
  const domain = args.ref<Domain>('domainid');
  const isProject = (id: string): boolean => w.accounts.get(id)?.type === 'project';
  if (accountName !== undefined && project !== undefined) throw paramError("Account and projectId can't be specified together");
  if (project !== undefined && project !== -1) return (id) => id === project.accountId;
  let base: OwnerFilter;
  if (accountName !== undefined) {
    const acct = [...w.accounts.values()].find(
      (a: Account) => a.name === accountName && (!domain || a.domainId === domain.id),
    );
    base = (id) => id === acct?.id;
  } else if (domain) base = (id) => w.accounts.get(id)?.domainId === domain.id;
  // an admin's projectid=-1 adds no account restriction: the criterion below picks the project resources
  else if (listAll || project === -1) base = () => true;
  else base = (id) => id === ctx.caller.account.id;
  if (project === -1) return listAll ? base : (id) => isProject(id) && base(id);
  return (id) => !isProject(id) && base(id);
}
