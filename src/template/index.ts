// Public face of the template layer: every string value in a playbook may be a Handlebars template.
// The loader calls checkTemplate/templateRoots; the executor calls render/renderDeep per host.

export type { TemplateRootReference } from './analyze.js';
export { TemplateError, type TemplateProblem } from './errors.js';
export { HELPERS, type HelperSpec } from './helpers.js';
export {
  checkTemplate, isTemplate, render, renderDeep, renderForDisplay, templateRootReferences, templateRoots,
  type TemplateCheck, type TemplateScope,
} from './render.js';
