// Public surface of the CloudStack client for step types and the CLI: the client factory, its types,
// typed errors, signing primitives (for diagnostics) and the helpers for CloudStack's awkward facts.
export { createCloudStackClient } from './client.js';
export { integrationUrl, isReadCommand } from './wire.js';
export {
  CloudStackApiError,
  CloudStackConfigError,
  CloudStackConnectionError,
  CloudStackError,
  CloudStackJobError,
  CloudStackJobTimeoutError,
  CloudStackResponseError,
} from './errors.js';
export { cloudstackVersion, getConfiguration, isIntegrationPortOpen, listAllRouters, type PortState } from './helpers.js';
export { computeSignature, formatExpires, javaUrlEncode, signParams, stringToSign } from './signing.js';
export type * from './types.js';
