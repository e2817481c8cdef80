// A loopback TCP proxy in front of the test sshd that can play a host going away: `down()` cuts every
// open connection and refuses new ones (a reboot), `up()` forwards again. Counts connection attempts.
import net from 'node:net';
import { freePort } from '../../support/sshd.js';

export class TcpProxy {
  private server: net.Server | null = null;
  private readonly open = new Set<net.Socket>();
  private accepting = true;
  attempts = 0;

  private constructor(readonly address: string, readonly port: number, private readonly target: { host: string; port: number }) {}

  static async start(address: string, target: { host: string; port: number }): Promise<TcpProxy> {
    const p = new TcpProxy(address, await freePort(address), target);
    await p.listen();
    return p;
  }

  private listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = net.createServer((client) => {
        this.attempts++;
        if (!this.accepting) {
          client.destroy();
          return;
        }
        const upstream = net.connect(this.target);
        this.open.add(client);
        this.open.add(upstream);
        const drop = (): void => {
          client.destroy();
          upstream.destroy();
          this.open.delete(client);
          this.open.delete(upstream);
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
        client.pipe(upstream).pipe(client);
      });
      server.once('error', reject);
      server.listen(this.port, this.address, () => resolve());
      this.server = server;
    });
  }

  /** Cut every connection and refuse new ones. */
  down(): void {
    this.accepting = false;
    for (const s of this.open) s.destroy();
    this.open.clear();
  }

  /** Cut every connection but keep accepting (a network blip). */
  cut(): void {
    for (const s of this.open) s.destroy();
    this.open.clear();
  }

  up(): void {
    this.accepting = true;
  }

  async stop(): Promise<void> {
    this.down();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
