// The JSON Schema of a playbook, for editors (yaml-language-server) and other tools: the playbook,
// play and step keys the loader knows, and for every registered step type its arguments as its
// definition declares them. Generated, never written by hand: `stackplay schema` writes it and a test
// keeps the copy in schemas/ in step with the step definitions.

import { BLOCK_KEYS, COMMON_KEYS, UNDO_ONLY_KEYS } from '../loader/load-step.js';
import { PLAY_KEYS, PLAYBOOK_KEYS } from '../loader/load-playbook.js';
import type { StepType } from '../steps/types.js';
import { argSchema, DURATION, type JsonSchema } from './kind-schema.js';

const SCALAR = { type: ['string', 'number', 'boolean'] };
const STRINGS = { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] };
const VARS = { type: 'object', description: 'variables (a value may be a secret source: { env: NAME }, { file: path }, { secret: text })' };

/** What each common key of a step takes (the loader's COMMON_KEYS, each given a shape here). */
const COMMON: Readonly<Record<(typeof COMMON_KEYS)[number], JsonSchema>> = {
  name: { type: 'string', description: 'what the step does (shown in the task list)' },
  when: { ...SCALAR, description: 'condition; false → the step is skipped' },
  register: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: "store the step's result in a variable" },
  loop: { anyOf: [{ type: 'array' }, { type: 'string', pattern: '\\{\\{' }], description: 'a list, or a template that gives one' },
  loop_var: { type: 'string', description: "the loop item's variable (default item)" },
  until: { ...SCALAR, description: 'repeat until this condition holds' },
  retries: { type: 'integer', minimum: 0 },
  delay: DURATION,
  ignore_errors: { type: 'boolean' },
  failed_when: SCALAR,
  changed_when: SCALAR,
  notify: STRINGS,
  tags: STRINGS,
  timeout: DURATION,
  run_once: { type: 'boolean' },
  dry_run: { enum: ['run', 'predict'] },
  undo: { anyOf: [{ $ref: '#/definitions/undoStep' }, { type: 'array', items: { $ref: '#/definitions/undoStep' } }] },
};

function stepTypeSchema(def: StepType): JsonSchema {
  if (def.freeform) return { type: 'object', description: def.summary };
  const properties = Object.fromEntries(Object.entries(def.args).map(([name, a]) => [name, argSchema(a.kind, a.description)]));
  const required = Object.entries(def.args).filter(([, a]) => a.presence === 'required').map(([name]) => name);
  const object = { type: 'object', properties, additionalProperties: false, ...(required.length > 0 ? { required } : {}) };
  const primary = def.primary === undefined ? undefined : def.args[def.primary];
  // `shell: uptime` fills the primary argument
  return { description: def.summary, anyOf: primary === undefined ? [object] : [object, argSchema(primary.kind, primary.description)] };
}

function stepSchema(steps: ReadonlyMap<string, StepType>, undo: boolean): JsonSchema {
  const types = [...steps.keys()].sort();
  const stepList = { type: 'array', items: { $ref: '#/definitions/step' } };
  const properties: Record<string, JsonSchema> = {
    ...COMMON,
    ...Object.fromEntries(types.map((t) => [t, { $ref: `#/definitions/type.${t}` }])),
    ...(undo ? {} : Object.fromEntries(BLOCK_KEYS.map((k) => [k, stepList]))),
  };
  if (undo) {
    // 'command' may be left out when the undo step's type writes its own dead-man script (the loader checks
    // that); 'hosts' is a list of inventory hosts or a template giving one, 'host' and 'hosts' exclusive
    const deadman = {
      type: 'object',
      properties: { after: DURATION, command: { type: 'string' }, host: { type: 'string' }, hosts: { anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'string' }] } },
      required: ['after'], not: { required: ['host', 'hosts'] }, additionalProperties: false,
    };
    for (const k of UNDO_ONLY_KEYS) properties[k] = deadman;
  }
  return {
    type: 'object',
    properties,
    required: ['name'],
    additionalProperties: false,
    // exactly one step type (or a block)
    oneOf: [...types, ...(undo ? [] : ['block'])].map((t) => ({ required: [t] })),
  };
}

/** What each play key takes (the loader's PLAY_KEYS). */
const PLAY: Readonly<Record<(typeof PLAY_KEYS)[number], JsonSchema>> = {
  name: { type: 'string' },
  hosts: { type: 'string', description: 'inventory pattern: names, groups, all, globs, !exclusions, &intersections' },
  vars: VARS,
  forks: { type: 'integer', minimum: 1 },
  serial: { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'string', pattern: '^\\d{1,3}%$' }] },
  max_fail_percentage: { type: 'integer', minimum: 0, maximum: 100 },
  strategy: { enum: ['linear', 'free'] },
  steps: { type: 'array', items: { $ref: '#/definitions/step' } },
  handlers: { type: 'array', items: { $ref: '#/definitions/step' } },
};

const PLAYBOOK: Readonly<Record<(typeof PLAYBOOK_KEYS)[number], JsonSchema>> = {
  name: { type: 'string' },
  description: { type: 'string' },
  vars: VARS,
  plays: { type: 'array', items: { $ref: '#/definitions/play' } },
};

export function playbookSchema(steps: ReadonlyMap<string, StepType>): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'stackplay playbook',
    description: 'Generated by `stackplay schema` from the step definitions: do not edit.',
    type: 'object',
    properties: PLAYBOOK,
    required: ['name', 'plays'],
    additionalProperties: false,
    definitions: {
      play: { type: 'object', properties: PLAY, required: ['name', 'hosts', 'steps'], additionalProperties: false },
      step: stepSchema(steps, false),
      undoStep: stepSchema(steps, true),
      // each step type's arguments, shared by steps and undo steps
      ...Object.fromEntries([...steps].map(([t, def]) => [`type.${t}`, stepTypeSchema(def)])),
    },
  };
}
