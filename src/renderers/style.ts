// Colour, decided once: off with NO_COLOR or when the output is not a terminal. chalk is loaded only
// when colour is on, so piping and CI pay nothing for it.

export interface Styler {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  magenta(s: string): string;
}

const plain: Styler = { bold: id, dim: id, red: id, green: id, yellow: id, cyan: id, magenta: id };

function id(s: string): string {
  return s;
}

export function colourWanted(stream: NodeJS.WriteStream): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

export async function styler(enabled: boolean): Promise<Styler> {
  if (!enabled) return plain;
  const { Chalk } = await import('chalk');
  const c = new Chalk({ level: 1 });
  return { bold: c.bold, dim: c.dim, red: c.red, green: c.green, yellow: c.yellow, cyan: c.cyan, magenta: c.magenta };
}

export const noStyle = plain;
