// world.loadBalancer: one more API address in front of the cluster, as sites put HAProxy before their
// management servers. Calls go round-robin to the servers whose API is up; a call carrying the JSESSIONID
// of a live session goes back to the server that holds that session (cookie persistence). With no server
// up it answers as HAProxy does: 503 "No server is available to handle this request".

import type http from 'node:http';
import { HttpListener } from '../api/http-listener.js';
import { parseCookies } from '../api/http-util.js';
import type { LabCore } from '../core.js';
import type { ManagementServer } from './management-server.js';

const NO_SERVER = '<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n';

export class LoadBalancer {
  readonly listener: HttpListener;
  private next = 0;
  /** How many calls each server got, for the state snapshot. */
  readonly served = new Map<string, number>();

  constructor(private readonly core: LabCore) {
    this.listener = new HttpListener((req, res) => this.route(req, res));
  }

  private pick(req: http.IncomingMessage): ManagementServer | undefined {
    const up = this.core.cluster.servers.filter((s) => s.state === 'running' && s.api.isOpen);
    const jsession = parseCookies(req.headers.cookie).get('JSESSIONID');
    const sticky = jsession ? up.find((s) => s.sessions.get(jsession, this.core.time.now()) !== undefined) : undefined;
    if (sticky) return sticky;
    if (up.length === 0) return undefined;
    const s = up[this.next % up.length]!;
    this.next++;
    return s;
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse): void {
    const server = this.pick(req);
    if (!server) {
      req.resume();
      res.writeHead(503, { 'Content-Type': 'text/html', 'Cache-Control': 'no-cache', Connection: 'close' }).end(NO_SERVER);
      return;
    }
    this.served.set(server.name, (this.served.get(server.name) ?? 0) + 1);
    server.apiHandler(req, res);
  }
}
