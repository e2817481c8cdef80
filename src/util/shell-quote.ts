// Quoting values for POSIX sh: the one rule for every command stackplay builds (step commands, env
// prefixes, the dead-man script) and for the `quote` template helper. Single quotes keep everything
// literal ($, `, \, newlines); a quote inside is closed, escaped and reopened.

/** Bytes that need no quoting in any POSIX shell position stackplay uses (arguments, assignments). */
const SAFE = /^[A-Za-z0-9_\-./=:,@%+]+$/;

/**
 * One shell word standing for `value`. 'minimal' leaves a word of safe characters bare, so plans and
 * logs stay readable (`systemctl is-active -- cloudstack-management`); 'always' wraps every value in
 * single quotes, the form the `quote` helper documents ({{quote 3}} is '3'). A NUL byte cannot be part
 * of any argument (the C string ends there), so it is refused rather than silently cut.
 */
export function shellQuote(value: string, style: 'minimal' | 'always' = 'minimal'): string {
  if (value.includes('\0')) throw new ShellQuoteError('the string contains a NUL byte, which no shell argument can hold');
  if (style === 'minimal' && value !== '' && SAFE.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

export class ShellQuoteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShellQuoteError';
  }
}
