// Values read from a system VM that end up in a command line: the services of its enabled_svcs and its
// control address. They are parsed into words and checked against what a unit name or an IP address can
// look like; anything else is refused, so a file's text is never run as a command (docs/cloudstack-facts.md §6.3).

/** systemd unit names: letters, digits and `:_.@-` (no escapes, no leading dash), at most 255 bytes. */
const UNIT_NAME = /^[A-Za-z0-9][A-Za-z0-9:_.@-]{0,254}$/;

export function isUnitName(word: string): boolean {
  return UNIT_NAME.test(word);
}

export interface ParsedServices {
  /** Plausible unit names, in file order, each once. */
  readonly units: string[];
  /** Words that are not unit names (shown escaped, never run). */
  readonly rejected: string[];
}

/**
 * The words of an enabled_svcs file: separated by any whitespace (several lines on a real router) or
 * commas (the upgrade docs list them that way), each kept only if it can be a unit name.
 */
export function parseServiceList(text: string): ParsedServices {
  const units: string[] = [];
  const rejected: string[] = [];
  for (const word of text.split(/[\s,]+/)) {
    if (word === '') continue;
    const into = isUnitName(word) ? units : rejected;
    if (!into.includes(word)) into.push(word);
  }
  return { units, rejected };
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9A-Fa-f:.]{2,45}$/;

/** A VM's link-local address as the API reports it: an IPv4 or IPv6 literal, nothing a shell could act on. */
export function isIpAddress(value: string): boolean {
  return IPV4.test(value) || (value.includes(':') && IPV6.test(value));
}

/** Text from a VM for a message: each word in JSON quotes, so newlines and quotes are visible, not acted on. */
export function shown(words: readonly string[], max = 8): string {
  const listed = words.slice(0, max).map((w) => JSON.stringify(w.length > 60 ? `${w.slice(0, 60)}…` : w));
  return `${listed.join(', ')}${words.length > max ? ` and ${words.length - max} more` : ''}`;
}
