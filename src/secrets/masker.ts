// Secret masking: every output path (renderers, errors, journal, dry-run plan) passes text through one
// registry of secret values, so a secret that reached a message by any route is still shown as ***.
// Values are registered when they enter the run (inventory secret fields, env, -e @vault) or are minted
// at run time (signatures, session keys).

const MASK = '***';

export class SecretRegistry {
  private readonly values = new Set<string>();
  private pattern: RegExp | null = null;

  /** Registers a secret value, plus the encoded forms it may take inside URLs and JSON. */
  add(value: string | undefined | null): void {
    if (typeof value !== 'string' || value.length < 3) return;
    const forms = new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]);
    forms.add(encodeURIComponent(value).replace(/%20/g, '+'));
    for (const form of forms) {
      if (!this.values.has(form)) {
        this.values.add(form);
        this.pattern = null;
      }
    }
  }

  get size(): number {
    return this.values.size;
  }

  has(value: string): boolean {
    return this.values.has(value);
  }

  mask(text: string): string {
    if (this.values.size === 0 || text.length === 0) return text;
    if (this.pattern === null) {
      const sorted = [...this.values].sort((a, b) => b.length - a.length);
      this.pattern = new RegExp(sorted.map(escapeRegExp).join('|'), 'g');
    }
    return text.replace(this.pattern, MASK);
  }

  /** Masks every string inside a JSON-like value; returns the same object when nothing changed. */
  maskDeep<T>(value: T): T {
    if (this.values.size === 0) return value;
    return maskValue(value, this, 0) as T;
  }
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

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
