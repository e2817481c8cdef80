// Step keys an Ansible user writes from habit (`debug:`, `with_items:`, `delegate_to:`, a play key such
// as `serial:` on a step): the loader names what stackplay offers instead, at the key, rather than
// calling it an unknown step type. Only keys stackplay does not know reach this table.

import type { YNode } from '../yaml/yaml-nodes.js';

export interface StepHabit {
  readonly code: 'ansible-habit' | 'play-key-on-step';
  readonly message: string;
}

/** Keys of a play (stackplay's and Ansible's) that do not belong on a step. */
const PLAY_KEYS: Readonly<Record<string, string>> = {
  hosts: 'the play chooses its hosts (hosts: PATTERN); a step runs on every host of its play',
  serial: 'put it on the play to run the play batch by batch (serial: 1 or serial: "25%")',
  forks: 'put it on the play (forks: 10)',
  strategy: 'put it on the play (strategy: free)',
  max_fail_percentage: 'put it on the play',
  gather_facts: 'stackplay gathers no facts: read what a step needs with a step (shell, cloudstack.facts) and register it',
  handlers: 'handlers are listed under the play',
  vars: 'play vars are set on the play; a step sets variables with the set step (set: { name: value })',
  vars_files: 'stackplay reads variable files with -e @vars.yml',
  roles: 'stackplay has no roles: a playbook holds plays, a play holds steps',
  tasks: "a play's steps are listed under 'steps'",
  pre_tasks: "a play's steps are listed under 'steps'",
  post_tasks: "a play's steps are listed under 'steps'",
  any_errors_fatal: 'use max_fail_percentage: 0 on the play',
  remote_user: 'the SSH user is the inventory host\'s user (user: root)',
};

/** Ansible task keywords and modules, and what a stackplay step writes instead. */
function ansibleKey(key: string, value: YNode): string | undefined {
  if (key === 'debug') {
    const map = value.kind === 'map' ? value : undefined;
    const v = map?.pairs.find((p) => p.key === 'var')?.value;
    if (v?.kind === 'scalar' && typeof v.value === 'string') return `'debug' is Ansible's: write log: "{{${v.value}}}"`;
    const msg = map?.pairs.find((p) => p.key === 'msg')?.value;
    if (msg?.kind === 'scalar' && typeof msg.value === 'string' && msg.value.length <= 60 && !msg.value.includes('"') && !/\{\{[^}]*\|/.test(msg.value)) {
      return `'debug' is Ansible's: write log: "${msg.value}"`;
    }
    return `'debug' is Ansible's: write log: "message" (the message may be a template)`;
  }
  if (key.startsWith('with_')) {
    const kind = key.slice('with_'.length);
    const also = kind === 'dict' ? ' (loop over a list of mappings; keys(map) gives the keys)' : kind === 'items' || kind === 'list' ? '' : ` (stackplay has no '${kind}' lookup)`;
    const list = value.kind === 'scalar' && typeof value.value === 'string' && value.value.length <= 40 ? `"${value.value}"` : '[ ... ] (or a template that gives a list)';
    return `'${key}' is Ansible's: write loop: ${list}; each item is 'item'${also}`;
  }
  switch (key) {
    case 'loop_control': {
      const map = value.kind === 'map' ? value : undefined;
      const v = map?.pairs.find((p) => p.key === 'loop_var')?.value;
      const name = v?.kind === 'scalar' && typeof v.value === 'string' ? v.value : 'NAME';
      return `'loop_control' is Ansible's: write loop_var: ${name} on the step itself`;
    }
    case 'delegate_to':
      return "'delegate_to' is Ansible's: a step runs on its play's hosts; run it on the machine running stackplay with the "
        + "local step, on another host in a play with that host (hosts: NAME), or name the host where a step type "
        + "takes one (via:, from:, host: — see 'stackplay steps TYPE')";
    case 'local_action':
      return "'local_action' is Ansible's: the local step runs a command on the machine running stackplay";
    case 'check_mode':
      return "'check_mode' is Ansible's: run the playbook with --dry-run (or -C), which runs read steps for real and "
        + "predicts what write steps would do; a step that only reads says dry_run: run (Ansible's check_mode: false)";
    case 'become': case 'become_user':
      return `'${key}' is an argument of the shell step in stackplay: shell: { command: ..., become: true }`;
    case 'environment':
      return "'environment' is Ansible's: the shell step takes env: { NAME: value }";
    case 'no_log':
      return "'no_log' is Ansible's: values from a secret source are masked in every output by themselves";
    case 'command': case 'ansible.builtin.command': case 'ansible.builtin.shell':
      return `'${key}' is Ansible's: write shell: COMMAND`;
    case 'ansible.builtin.debug':
      return "'ansible.builtin.debug' is Ansible's: write log: \"message\"";
    case 'set_fact': case 'ansible.builtin.set_fact':
      return `'${key}' is Ansible's: write set: { name: value }`;
    case 'meta':
      return "'meta' is Ansible's: flush handlers with a flush_handlers: true step";
    case 'listen':
      return "'listen' is Ansible's: notify names a handler by its name";
    default:
      return undefined;
  }
}

/** The hint for a step key that is neither a common key nor a step type, if it is a known habit. */
export function stepHabit(key: string, value: YNode): StepHabit | undefined {
  if (Object.hasOwn(PLAY_KEYS, key)) return { code: 'play-key-on-step', message: `'${key}' is a play key, not a step key: ${PLAY_KEYS[key]}` };
  const message = ansibleKey(key, value);
  return message === undefined ? undefined : { code: 'ansible-habit', message };
}

/** Ansible play keywords with no stackplay play key of that name, and what a play writes instead. */
const ANSIBLE_PLAY_KEYS: Readonly<Record<string, string>> = {
  tasks: "a play's steps are listed under 'steps'",
  pre_tasks: "a play's steps are listed under 'steps' (in the order they run)",
  post_tasks: "a play's steps are listed under 'steps' (in the order they run)",
  roles: 'stackplay has no roles: a playbook holds plays, a play holds steps',
  gather_facts: 'stackplay gathers no facts: read what the play needs with a step (shell, cloudstack.facts) and register it',
  become: 'become is an argument of the shell step: shell: { command: ..., become: true }',
  become_user: 'become_user is an argument of the shell step',
  vars_files: 'stackplay reads variable files with -e @vars.yml',
  any_errors_fatal: 'write max_fail_percentage: 0',
  remote_user: "the SSH user is the inventory host's user (user: root)",
};

/** The hint for a play key stackplay does not have, if it is an Ansible play keyword. */
export function playHabit(key: string): string | undefined {
  return Object.hasOwn(ANSIBLE_PLAY_KEYS, key) ? `'${key}' is Ansible's: ${ANSIBLE_PLAY_KEYS[key]}` : undefined;
}
