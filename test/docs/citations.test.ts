// What the product cites: nothing may point at notes that are not in the repository or at a path of one
// machine, and every section of docs/cloudstack-facts.md that code, playbooks or docs cite must exist,
// so an operator who reads "docs/cloudstack-facts.md §8.5" in a step name can look it up.

import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { REPO_ROOT } from '../support/paths.js';

const SCANNED = ['src', 'playbooks', 'docs', 'test', 'bench', 'scripts', 'README.md', 'BENCHMARKS.md', 'CONTRIBUTING.md'];
const THIS_FILE = 'test/docs/citations.test.ts';
const FACTS = 'docs/cloudstack-facts.md';

/** Citations of material outside the repository: the team's private notes, and paths of one machine. */
const FORBIDDEN: readonly { readonly what: string; readonly re: RegExp }[] = [
  { what: 'cites the private reference notes', re: /\breference\s*§/i },
  { what: 'cites the private reference notes', re: /cloudstack-api\.md|\breference\.md\b|shared\/reference\b/i },
  { what: 'cites the private reference notes', re: /\b(?:the|in the) reference(?:'s\b|\s*\(§)/i },
  { what: 'names a path under /work/', re: /(?<![\w.~-])\/work\// },
  { what: 'names a path under /home/', re: /(?<![\w.~-])\/home\/[\w.-]+/ },
];

/** Made-up paths that look like a machine's but are test data; each entry says why it may stay. */
const ALLOWED: readonly { readonly file: string; readonly text: string; readonly why: string }[] = [
  { file: 'test/transports/ssh/settings.test.ts', text: '/home/op', why: 'the home directory of a fictitious user, input of the ssh-config resolver' },
];

interface Finding { readonly file: string; readonly line: number; readonly text: string; readonly what: string }

function filesUnder(path: string): string[] {
  const full = join(REPO_ROOT, path);
  let stat;
  try { stat = statSync(full); } catch { return []; }
  if (stat.isFile()) return [path];
  return readdirSync(full).flatMap((name) => filesUnder(join(path, name)));
}

function scannedFiles(): string[] {
  return SCANNED.flatMap(filesUnder).map((f) => f.split(sep).join('/')).filter((f) => f !== THIS_FILE);
}

function forbiddenCitations(file: string, text: string): Finding[] {
  const found: Finding[] = [];
  text.split('\n').forEach((line, i) => {
    let rest = line;
    for (const allowed of ALLOWED) if (allowed.file === file) rest = rest.split(allowed.text).join('');
    for (const { what, re } of FORBIDDEN) if (re.test(rest)) found.push({ file, line: i + 1, text: line.trim(), what });
  });
  return found;
}

/** Section numbers of the facts page: its numbered headings ("### 6.4 …", "## 8. …"). */
function factSections(page: string): Set<string> {
  const ids = new Set<string>();
  for (const m of page.matchAll(/^#{2,4}\s+(\d+(?:\.\d+)*)\.?\s/gm)) ids.add(m[1]!);
  return ids;
}

/** Every section a text cites with §: "§6.4", "§2.3/§2.4", and ranges "§1.1–1.2" or "§11.1-3". */
function citedSections(text: string): { readonly line: number; readonly id: string }[] {
  const out: { line: number; id: string }[] = [];
  text.split('\n').forEach((line, i) => {
    for (const m of line.matchAll(/§\s?(\d+(?:\.\d+)*)(?:\s?[–-]\s?(\d+(?:\.\d+)*))?/g)) {
      const from = m[1]!;
      out.push({ line: i + 1, id: from });
      const to = m[2];
      if (to === undefined) continue;
      // "§11.1-3" ends at 11.3: a bare number replaces the last part of the start
      out.push({ line: i + 1, id: to.includes('.') ? to : [...from.split('.').slice(0, -1), to].join('.') });
    }
  });
  return out;
}

describe('citations in the product', () => {
  const files = scannedFiles();
  const read = (f: string): string => readFileSync(join(REPO_ROOT, f), 'utf8');

  it('the checks find what they are meant to find', () => {
    expect(forbiddenCitations('x.ts', '// as the notes say (reference §6.4)')).to.have.length(1);
    expect(forbiddenCitations('x.md', 'Facts come from `/work/shared/reference/cloudstack-api.md`.')).to.have.length(2);
    expect(forbiddenCitations('x.ts', '// written from the reference (§1.1, §1.2)')).to.have.length(1);
    expect(forbiddenCitations('x.ts', "const home = '/home/alice/.ssh';")).to.have.length(1);
    expect(forbiddenCitations('x.ts', '// referencedRoots, https://example.org/work/x, ~/work/y')).to.deep.equal([]);
    expect(citedSections('see §2.3/§2.4 and §11.1-3, §1.1–1.2').map((c) => c.id))
      .to.deep.equal(['2.3', '2.4', '11.1', '11.3', '1.1', '1.2']);
    expect(files.length, 'files scanned').to.be.greaterThan(200);
  });

  it('nothing cites the private reference notes or a path of one machine', () => {
    const found = files.flatMap((f) => forbiddenCitations(f, read(f)));
    expect(found.map((f) => `${f.file}:${f.line}: ${f.what}: ${f.text}`)).to.deep.equal([]);
  });

  it('every § citation names docs/cloudstack-facts.md, and the section exists there', () => {
    const sections = factSections(read(FACTS));
    expect(sections.size, 'numbered sections in the facts page').to.be.greaterThan(50);
    const problems: string[] = [];
    let citations = 0;
    for (const f of files) {
      const text = read(f);
      const cited = citedSections(text);
      if (cited.length === 0) continue;
      if (f !== FACTS && !text.includes('cloudstack-facts.md')) {
        problems.push(`${f}:${cited[0]!.line}: cites §${cited[0]!.id} without naming ${FACTS}`);
        continue;
      }
      citations += cited.length;
      for (const c of cited) if (!sections.has(c.id)) problems.push(`${f}:${c.line}: §${c.id} is not a section of ${FACTS}`);
    }
    expect(problems).to.deep.equal([]);
    expect(citations, 'section citations checked').to.be.greaterThan(50);
  });

  it('lists only allowed paths that are still there', () => {
    for (const a of ALLOWED) expect(read(a.file), `${a.file} (${a.why})`).to.include(a.text);
  });
});
