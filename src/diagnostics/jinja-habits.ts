// Jinja habits in conditions and templates: a filter (`names | join(', ')`) or a test (`foo is
// defined`) fails to parse; instead of the parser's raw "unexpected '|'" the author is shown the
// stackplay form of the same thing, written with their own operand, at the '|' or the 'is'.

export interface Habit {
  readonly message: string;
  readonly offset: number;
  readonly length: number;
}

/** Jinja filters whose stackplay function has another name. */
const RENAMED_FILTERS: Readonly<Record<string, string>> = {
  length: 'len', count: 'len', d: 'default', string: 'str', to_json: 'json', to_nice_json: 'json',
};

/** The operand that ends where `text` ends: a path, a call, a quoted string or a number. */
function operandBefore(text: string): string | undefined {
  const trimmed = text.trimEnd();
  const m = /(?:[A-Za-z_@]\w*(?:\.\w+|\[[^\]]*\]|\([^()]*\))*|'[^']*'|"[^"]*"|-?\d+(?:\.\d+)?)$/.exec(trimmed);
  return m?.[0];
}

/** `name` and the text of `(args)` right after `at`, quotes respected; args undefined without '('. */
function callAfter(text: string, at: number): { readonly name: string; readonly args: string[] | undefined } | undefined {
  const m = /^\s*([A-Za-z_]\w*)/.exec(text.slice(at));
  if (!m) return undefined;
  let i = at + m[0].length;
  while (text[i] === ' ') i++;
  if (text[i] !== '(') return { name: m[1]!, args: undefined };
  const args: string[] = [];
  let depth = 0;
  let quote = '';
  let current = '';
  for (i++; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== '') {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[') depth++;
    else if ((c === ')' || c === ']') && depth > 0) depth--;
    else if (c === ')') break;
    else if (c === ',' && depth === 0) {
      args.push(current.trim());
      current = '';
      continue;
    }
    current += c;
  }
  if (current.trim() !== '') args.push(current.trim());
  return { name: m[1]!, args };
}

/**
 * A Jinja filter at `pipe` in `text`: the message names the call that does the same in stackplay,
 * written in the condition form `f(x, a)` or the template form `{{f x a}}`. `vocabulary` holds the
 * functions (or helpers) of that language.
 */
export function filterHabit(text: string, pipe: number, form: 'condition' | 'template', vocabulary: ReadonlySet<string>): Habit | undefined {
  if (text[pipe] !== '|' || text[pipe + 1] === '|') return undefined;
  const before = form === 'template' ? text.slice(text.lastIndexOf('{{', pipe) + 2, pipe).replace(/^[~#]/, '') : text.slice(0, pipe);
  const operand = operandBefore(before);
  const filter = callAfter(text, pipe + 1);
  const where = { offset: pipe, length: 1 };
  const lead = form === 'template'
    ? "filters ('|') are Jinja's: stackplay templates call a helper, with spaces between its arguments"
    : "filters ('|') are Jinja's: conditions call a function";
  if (operand === undefined || filter === undefined) return { message: `${lead}, such as ${form === 'template' ? "{{join names ', '}}" : 'len(names)'}`, ...where };
  const name = Object.hasOwn(RENAMED_FILTERS, filter.name) ? RENAMED_FILTERS[filter.name]! : filter.name;
  if (!vocabulary.has(name)) {
    return { message: `${lead}, and there is no '${filter.name}' among them (see the function list in docs/functions.md)`, ...where };
  }
  const args = [operand, ...(filter.args ?? [])];
  const call = form === 'template' ? `{{${name} ${args.join(' ')}}}` : `${name}(${args.join(', ')})`;
  return { message: `${lead}: write ${call}`, ...where };
}

const ORDER: Readonly<Record<string, string>> = {
  lt: '<', '<': '<', le: '<=', '<=': '<=', gt: '>', '>': '>', ge: '>=', '>=': '>=', eq: '==', '==': '==', ne: '!=', '!=': '!=',
};

function unquote(s: string): string {
  return /^(['"]).*\1$/s.test(s) ? s.slice(1, -1) : s;
}

/** What `x is [not] TEST(args)` is in a stackplay condition, or undefined for a test it has no word for. */
function testRewrite(x: string, test: string, args: readonly string[], negated: boolean): string | undefined {
  const not = (s: string): string => (negated ? `not (${s})` : s);
  switch (test) {
    case 'defined': return negated ? `not defined(${x})` : `defined(${x})`;
    case 'undefined': return negated ? `defined(${x})` : `not defined(${x})`;
    case 'none': return `${x} ${negated ? '!=' : '=='} null`;
    case 'failed': case 'changed': case 'skipped': return negated ? `not ${x}.${test}` : `${x}.${test}`;
    case 'succeeded': case 'success': return negated ? `${x}.failed` : `not ${x}.failed`;
    case 'version': case 'version_compare': {
      const op = ORDER[unquote(args[1] ?? 'eq')] ?? '==';
      return not(`version(${x}) ${op} ${args[0] ?? "'4.17'"}`);
    }
    case 'match': return not(`${x} matches '^${unquote(args[0] ?? '')}'`);
    case 'search': case 'regex': return not(`${x} matches ${args[0] ?? "'…'"}`);
    case 'in': return not(`${x} in ${args[0] ?? '[…]'}`);
    default: return undefined;
  }
}

/** A Jinja test (`x is defined`, `r is failed`, `v is version('4.17', '>=')`) at the word 'is' at `at`. */
export function testHabit(text: string, at: number): Habit | undefined {
  if (!/^is\b/.test(text.slice(at))) return undefined;
  const operand = operandBefore(text.slice(0, at));
  const afterIs = at + 2;
  const negated = /^\s+not\b/.test(text.slice(afterIs));
  const test = callAfter(text, negated ? text.indexOf('not', afterIs) + 3 : afterIs);
  const where = { offset: at, length: 2 };
  const lead = "tests ('is') are Jinja's: conditions use functions and operators";
  if (operand === undefined || test === undefined) return { message: `${lead}, such as defined(x), x == null, r.failed`, ...where };
  const rewrite = testRewrite(operand, test.name, test.args ?? [], negated);
  if (rewrite === undefined) return { message: `${lead}: there is no test '${test.name}'; see the functions and operators in docs/expressions.md`, ...where };
  return { message: `${lead}: write ${rewrite}`, ...where };
}

/** Every '|' of a mustache that is no block-parameter bar (`as |x|`), outside quotes. */
function strayPipes(source: string): number[] {
  const out: number[] = [];
  for (let i = source.indexOf('{{'); i !== -1; i = source.indexOf('{{', i + 2)) {
    const close = source.indexOf('}}', i);
    const inner = close === -1 ? source.length : close;
    let quote = '';
    let params = false;
    for (let j = i + 2; j < inner; j++) {
      const c = source[j]!;
      if (quote !== '') {
        if (c === quote) quote = '';
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '|') {
        if (/\bas\s*$/.test(source.slice(i, j))) params = true;
        else if (params) params = false;
        else out.push(j);
      }
    }
  }
  return out;
}

/** Every Jinja filter in a template that does not parse, each with the helper call to write instead. */
export function templateHabits(source: string, helpers: ReadonlySet<string>): Habit[] {
  return strayPipes(source).flatMap((pipe) => filterHabit(source, pipe, 'template', helpers) ?? []);
}

const WORDS = new Set(['and', 'or', 'not', 'in', 'matches', 'contains']);

/** Every Jinja filter and test in a condition that does not parse, each with the stackplay form. */
export function conditionHabits(source: string, functions: ReadonlySet<string>): Habit[] {
  const out: Habit[] = [];
  let quote = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (quote !== '') {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '|' && source[i + 1] !== '|' && source[i - 1] !== '|') {
      const habit = filterHabit(source, i, 'condition', functions);
      if (habit) out.push(habit);
    } else if (c === 'i' && /^is\b/.test(source.slice(i)) && /(^|[^\w.])$/.test(source.slice(0, i))) {
      const operand = operandBefore(source.slice(0, i));
      if (operand === undefined || WORDS.has(operand)) continue;
      const habit = testHabit(source, i);
      if (habit) out.push(habit);
    }
  }
  return out;
}
