// Creates the CloudStack client for a management-server host from its inventory `cloudstack:`
// settings; `via` routes the connection through that host's SSH tunnel.

import type { RunServices } from '../steps/types.js';
import type { CloudStackFactory } from './services.js';

export const cloudstackFactory: CloudStackFactory = async (_hostName: string, _mode: 'signed' | 'integration', _services: RunServices) => {
  throw new Error('the CloudStack client is not wired yet');
};
