import { expect } from 'chai';
import { compareVersions, parseVersion, versionOperator, versionSatisfies, type Version } from '../../src/expr/index.js';

function v(text: string): Version {
  const parsed = parseVersion(text);
  if (!parsed) throw new Error(`not a version: ${text}`);
  return parsed;
}

describe('expr versions', () => {
  it('parses numeric parts and a suffix', () => {
    expect(v('4.18.0.0-SNAPSHOT')).to.include({ suffix: 'SNAPSHOT', text: '4.18.0.0-SNAPSHOT' });
    expect(v('4.18.0.0-SNAPSHOT').parts).to.deep.equal([4, 18, 0, 0]);
    expect(v(' v4.17 ').parts).to.deep.equal([4, 17]);
    expect(parseVersion('beta')).to.equal(undefined);
    expect(parseVersion('')).to.equal(undefined);
  });

  // Pre-release suffixes sort before the release and among themselves like Maven's: rc < SNAPSHOT.
  it('sorts versions in release order', () => {
    const shuffled = ['4.17', '4.9', '4.20.1.0', '4.17.0.0-SNAPSHOT', '4.17.1', '4.13.0', '4.17-rc10', '4.17-rc2', '5', '4.10'];
    const sorted = shuffled.map(v).sort(compareVersions).map((x) => x.text);
    expect(sorted).to.deep.equal(['4.9', '4.10', '4.13.0', '4.17-rc2', '4.17-rc10', '4.17.0.0-SNAPSHOT', '4.17', '4.17.1', '4.20.1.0', '5']);
  });

  it('treats missing parts as zero', () => {
    expect(compareVersions(v('4.17'), v('4.17.0.0'))).to.equal(0);
    expect(compareVersions(v('4.20.1.0'), v('4.17'))).to.equal(1);
  });

  it('understands operator spellings', () => {
    expect(versionOperator('>=')).to.equal('>=');
    expect(versionOperator('gte')).to.equal('>=');
    expect(versionOperator('lt')).to.equal('<');
    expect(versionOperator('toString')).to.equal(undefined);
    expect(versionSatisfies(v('4.20'), '>=', v('4.17'))).to.equal(true);
    expect(versionSatisfies(v('4.9'), '>=', v('4.17'))).to.equal(false);
  });
});
