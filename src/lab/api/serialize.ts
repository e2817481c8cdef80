// Wire formats: compact JSON (CloudStack's default for response=json) and a small XML rendering of the
// same tree for callers that omit response=json (CloudStack's default is XML).

import type { Json, JsonObject } from './render/compact.js';

export function toJson(body: JsonObject): string {
  return JSON.stringify(body);
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function xmlValue(name: string, v: Json): string {
  if (Array.isArray(v)) return v.map((x) => xmlValue(name, x)).join('');
  if (v !== null && typeof v === 'object') {
    return `<${name}>${Object.entries(v).map(([k, x]) => xmlValue(k, x)).join('')}</${name}>`;
  }
  return `<${name}>${esc(String(v))}</${name}>`;
}

/** `<?xml…?><xresponse cloud-stack-version="…">…</xresponse>`; list items repeat their element name. */
export function toXml(body: JsonObject, version: string | undefined): string {
  const [key, inner] = Object.entries(body)[0] ?? ['errorresponse', {}];
  const attr = version ? ` cloud-stack-version="${esc(version)}"` : '';
  const content = inner !== null && typeof inner === 'object' && !Array.isArray(inner)
    ? Object.entries(inner).map(([k, v]) => xmlValue(k, v)).join('')
    : esc(String(inner));
  return `<?xml version="1.0" encoding="UTF-8"?><${key}${attr}>${content}</${key}>`;
}
