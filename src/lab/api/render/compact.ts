// Builds response objects the way CloudStack's serializer does: fields in declaration order, null and
// undefined fields omitted.

export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

/** Copies entries in order, dropping undefined and null values. */
export function compact(entries: ReadonlyArray<readonly [string, Json | undefined]>): JsonObject {
  const o: JsonObject = {};
  for (const [k, v] of entries) if (v !== undefined && v !== null) o[k] = v;
  return o;
}
