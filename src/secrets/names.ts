// Which names look like they hold a secret: values under them are masked in code frames (registered
// or not) and `-e name=value` values are registered as secrets, so a password typed on the command
// line is shown as *** in output, events and the journal like one read from a secret source.

/** pass, password, passphrase, secret, secret_key, token, credentials, key, api_key, apikey, ssh-key… */
export const SECRET_NAME = /pass|secret|token|cred|apikey|(?:^|[_.-])key(?:s?$|[_.-])/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}
