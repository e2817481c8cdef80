// Failures are classified by their type, never by their `name` string: a subclass keeps its kind, a
// look-alike with the same name does not get it.

import { expect } from 'chai';
import { CloudStackApiError, CloudStackJobError, CloudStackSetupError } from '../../src/cloudstack/errors.js';
import { classifyError, isUnreachable } from '../../src/engine/errors.js';
import { PlaybookRuntimeError } from '../../src/engine/evaluate.js';
import { isPermanentSshError, isUnreachableError } from '../../src/steps/remote/reconnect.js';
import { AuthError, SftpError, UnreachableError } from '../../src/transports/ssh/errors.js';

const at = { file: 'p.yml', line: 3, col: 5, offset: 20, length: 4 };

describe('engine: failures classified by type', () => {
  it('transport, CloudStack and playbook errors each get their kind and code', () => {
    const api = new CloudStackApiError('ms1', 'listRouters', { httpStatus: 431, errorcode: 431, errortext: 'bad zone', request: 'GET …', mode: 'signed' });
    expect(classifyError(api, at)).to.deep.include({ kind: 'cloudstack', code: 'api-431', endpoint: 'ms1', command: 'listRouters', pos: { file: 'p.yml', line: 3, col: 5 } });
    const lost = new CloudStackJobError('ms1', 'rebootRouter', 'j-1', 2, 530, undefined, undefined, false);
    expect(classifyError(lost, at)).to.deep.include({ kind: 'cloudstack', code: 'job-lost', jobid: 'j-1' });
    expect(classifyError(new CloudStackSetupError('ms2', 'no cloudstack settings'), at)).to.deep.include({ kind: 'cloudstack', code: 'setup', endpoint: 'ms2' });
    expect(classifyError(new UnreachableError('h1', 'refused', 'refused'), at)).to.deep.include({ kind: 'unreachable', code: 'SSH_UNREACHABLE', host: 'h1' });
    expect(classifyError(new SftpError('h1', 'open', '/x', 2, 'no such file'), at)).to.deep.include({ kind: 'ssh', code: 'SSH_SFTP', host: 'h1' });
    const tpl = classifyError(new PlaybookRuntimeError('undefined variable x', { ...at, line: 9, col: 12 }, 'template'), at);
    expect(tpl).to.deep.include({ kind: 'playbook', code: 'template', pos: { file: 'p.yml', line: 9, col: 12 } });
    expect(tpl.message).to.equal('undefined variable x (p.yml:9:12)');
    expect(classifyError(new TypeError('x is not a function'), null)).to.deep.include({ kind: 'internal', code: 'error', pos: null });
  });

  it('a subclass is what its class is; an error that only carries the name is not', () => {
    class Dropped extends UnreachableError {}
    const dropped = new Dropped('h1', 'dropped', 'connection dropped');
    const lookalike = Object.assign(new Error('refused'), { name: 'UnreachableError' });
    expect([isUnreachable(dropped), isUnreachableError(dropped)]).to.deep.equal([true, true]);
    expect([isUnreachable(lookalike), isUnreachableError(lookalike)]).to.deep.equal([false, false]);
    expect(isPermanentSshError(new AuthError('h1', 'root', ['publickey']))).to.equal(true);
    expect(isPermanentSshError(Object.assign(new Error('x'), { name: 'AuthError' }))).to.equal(false);
  });
});
