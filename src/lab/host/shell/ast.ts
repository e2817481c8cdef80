// The syntax tree of the lab hosts' shell: words made of quoted/unquoted parts, simple and compound
// commands, pipelines, and-or lists and scripts. Produced by parse.ts, run by interpreter.ts.

export type WordPart =
  | { readonly kind: 'lit'; readonly text: string; readonly quoted: boolean }
  | { readonly kind: 'var'; readonly name: string; readonly quoted: boolean }
  | { readonly kind: 'cmd'; readonly script: Script; readonly quoted: boolean };
export type Word = readonly WordPart[];

export type Redirect =
  | { readonly fd: 1 | 2; readonly op: '>' | '>>'; readonly target: Word }
  | { readonly fd: 1 | 2; readonly op: 'dup'; readonly to: 1 | 2 }
  | { readonly fd: 0; readonly op: '<'; readonly target: Word };

export interface SimpleCommand {
  readonly kind: 'simple';
  readonly assigns: ReadonlyArray<{ readonly name: string; readonly value: Word }>;
  readonly words: readonly Word[];
  readonly redirects: readonly Redirect[];
}

export type CompoundBody =
  | { readonly kind: 'if'; readonly clauses: ReadonlyArray<{ readonly cond: Script; readonly body: Script }>; readonly otherwise?: Script | undefined }
  | { readonly kind: 'for'; readonly name: string; readonly items?: readonly Word[] | undefined; readonly body: Script }
  | { readonly kind: 'while'; readonly until: boolean; readonly cond: Script; readonly body: Script }
  | { readonly kind: 'case'; readonly word: Word; readonly arms: ReadonlyArray<{ readonly patterns: readonly Word[]; readonly body: Script }> }
  | { readonly kind: 'group'; readonly subshell: boolean; readonly body: Script };

export type Compound = CompoundBody & { readonly redirects: readonly Redirect[] };
export type Command = SimpleCommand | Compound | { readonly kind: 'function'; readonly name: string; readonly body: Compound };

export interface Pipeline {
  readonly negate: boolean;
  readonly commands: readonly Command[];
}
export interface AndOr {
  readonly first: Pipeline;
  readonly rest: ReadonlyArray<{ readonly op: '&&' | '||'; readonly pipeline: Pipeline }>;
}
export interface ListItem {
  readonly andOr: AndOr;
  readonly background: boolean;
}
export type Script = readonly ListItem[];
