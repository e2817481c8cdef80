// The first step shared by every YAML input (playbooks, inventories): parse with positions and report a
// syntax error as a problem, leaving a NodeReader that collects the rest.

import { NodeReader } from './node-reader.js';
import { ProblemList } from '../diagnostics/problems.js';
import { parseYaml, sourceFile, type YNode } from './yaml-nodes.js';

export type DocumentResult =
  | { readonly ok: true; readonly reader: NodeReader; readonly node: YNode | null }
  | { readonly ok: false; readonly problems: ProblemList };

export function readDocument(path: string, text: string): DocumentResult {
  const file = sourceFile(path, text);
  const problems = new ProblemList();
  const parsed = parseYaml(file);
  if (!parsed.ok) {
    problems.add(parsed.code, parsed.message, parsed.pos);
    return { ok: false, problems };
  }
  return { ok: true, reader: new NodeReader(file, problems), node: parsed.node };
}
