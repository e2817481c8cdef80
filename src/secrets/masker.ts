// Secret masking: every output path (renderers, errors, journal, dry-run plan) passes text through one
// registry of secret values, so a secret that reached a message by any route is still shown as ***.
// Values are registered when they enter the run (inventory secret fields, env, -e @vault) or are minted
// at run time (signatures, session keys).

const MASK = '***';

/** Ephemeral secrets kept at once: a request signature only matters while its request is in flight. */
const EPHEMERAL_LIMIT = 32;

export class SecretRegistry {
  private readonly values = new Set<string>();
  /** Newest last; the oldest forms drop out past EPHEMERAL_LIMIT. */
  private readonly ephemeral: string[] = [];
  /** Every form, longest first; rebuilt lazily after a change. */
  private sorted: string[] | null = null;

  /** Registers a secret value, plus the encoded forms it may take inside URLs and JSON. */
  add(value: string | undefined | null): void {
    for (const form of forms(value)) {
      if (!this.values.has(form)) {
        this.values.add(form);
        this.sorted = null;
      }
    }
  }

  /**
   * Registers a short-lived secret (a request's signature). Thousands of API calls must not grow the
   * mask pattern without bound, so only the most recent ones are kept; the client also masks
   * signatures by parameter name wherever it prints a request.
   */
  addEphemeral(value: string | undefined | null): void {
    // a signature is base64: its raw and URL-encoded forms are the only ones it can take
    const own = typeof value === 'string' && value.length >= 3 ? [...new Set([value, encodeURIComponent(value)])] : [];
    for (const form of own) {
      if (this.values.has(form)) continue;
      this.ephemeral.push(form);
      this.sorted = null;
    }
    if (this.ephemeral.length > EPHEMERAL_LIMIT) this.ephemeral.splice(0, this.ephemeral.length - EPHEMERAL_LIMIT);
  }

  get size(): number {
    return this.values.size + this.ephemeral.length;
  }

  has(value: string): boolean {
    return this.values.has(value) || this.ephemeral.includes(value);
  }

  mask(text: string): string {
    if (this.size === 0 || text.length === 0) return text;
    if (this.sorted === null) this.sorted = [...new Set([...this.values, ...this.ephemeral])].sort((a, b) => b.length - a.length);
    // one native substring search per secret beats a regex alternation of many literals on large texts;
    // longest first, so a secret that contains another is masked whole
    let out = text;
    for (const secret of this.sorted) if (out.includes(secret)) out = out.split(secret).join(MASK);
    return out;
  }

  /** Masks every string inside a JSON-like value; returns the same object when nothing changed. */
  maskDeep<T>(value: T): T {
    if (this.size === 0) return value;
    return maskValue(value, this, 0) as T;
  }
}

function forms(value: string | undefined | null): string[] {
  if (typeof value !== 'string' || value.length < 3) return [];
  const out = new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]);
  out.add(encodeURIComponent(value).replace(/%20/g, '+'));
  return [...out];
}

function maskValue(value: unknown, registry: SecretRegistry, depth: number): unknown {
  if (typeof value === 'string') return registry.mask(value);
  if (depth > 32 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const m = maskValue(v, registry, depth + 1);
      if (m !== v) changed = true;
      return m;
    });
    return changed ? out : value;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) {
    if (value instanceof Error) return registry.mask(value.message);
    return value;
  }
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const m = maskValue(v, registry, depth + 1);
    if (m !== v) changed = true;
    out[k] = m;
  }
  return changed ? out : value;
}

