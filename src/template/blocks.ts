// Block helpers (#if, #unless, #each, #with), written here rather than taken from Handlebars so that
// truthiness matches conditions, an Unknown renders the whole block as unknown instead of picking a
// branch, and no helper needs Handlebars' per-render setup (see invoke() in runtime.ts).

import Handlebars from './handlebars.js';
import { isPlainMap, isUnknown, truthy, typeName, type Unknown } from '../expr/index.js';
import { HelperFailure } from './errors.js';
import { unknownArgument } from './helpers.js';

export interface BlockOptions {
  readonly loc?: unknown;
  readonly data?: unknown;
  readonly fn: (context: unknown, options?: { data?: unknown; blockParams?: unknown[] }) => string;
  readonly inverse: (context: unknown, options?: { data?: unknown; blockParams?: unknown[] }) => string;
}

type BlockHelper = (this: unknown, value: unknown, options: BlockOptions) => string;

function unknownCondition(value: unknown): Unknown | undefined {
  return isUnknown(value) ? value : typeof value === 'string' ? unknownArgument([value]) : undefined;
}

function iterate(this: unknown, items: readonly unknown[] | Record<string, unknown>, options: BlockOptions): string {
  const keys: ReadonlyArray<string | number> = Array.isArray(items) ? items.map((_, i) => i) : Object.keys(items);
  if (keys.length === 0) return options.inverse(this);
  const frame = options.data === undefined ? undefined : (Handlebars.createFrame(options.data) as Record<string, unknown>);
  let out = '';
  keys.forEach((key, index) => {
    const item: unknown = (items as Record<string | number, unknown>)[key];
    if (frame) {
      frame['key'] = key;
      frame['index'] = index;
      frame['first'] = index === 0;
      frame['last'] = index === keys.length - 1;
    }
    out += options.fn(item, { data: frame, blockParams: [item, key] });
  });
  return out;
}

export const BLOCK_HELPERS: Readonly<Record<string, BlockHelper>> = {
  if(condition, options) {
    return unknownCondition(condition)?.toString() ?? (truthy(condition) ? options.fn(this) : options.inverse(this));
  },
  unless(condition, options) {
    return unknownCondition(condition)?.toString() ?? (truthy(condition) ? options.inverse(this) : options.fn(this));
  },
  each(items, options) {
    if (isUnknown(items)) return items.toString();
    if (items === null) return options.inverse(this);
    if (!Array.isArray(items) && !isPlainMap(items)) {
      throw new HelperFailure(`each needs a list or a map, not ${typeName(items)}`, options.loc);
    }
    return iterate.call(this, items, options);
  },
  with(value, options) {
    if (isUnknown(value)) return value.toString();
    if (value === null) return options.inverse(this);
    return options.fn(value, { data: options.data, blockParams: [value] });
  },
};
