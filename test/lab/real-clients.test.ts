// Real clients against the lab, unchanged: python3-cs (the `cs` module, signature v3 with expires,
// GET and POST, paging with fetch_list, async-job polling; the 4.18, 4.19.1 and 4.20.1 profiles) and the
// OpenSSH client with the lab's known_hosts and key. With CI=true a missing python3-cs or ssh fails
// instead of skipping. (Ansible's modules: ansible.test.ts.)

import { expect } from 'chai';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { stopLabs, testLab } from './helpers.js';

const run = promisify(execFile);
const PY = '/usr/bin/python3';
const hasCs = spawnSync(PY, ['-c', 'import cs'], { stdio: 'ignore' }).status === 0;
const hasSsh = spawnSync('ssh', ['-V'], { stdio: 'ignore' }).status === 0;
const CI = process.env.CI === 'true';

const SCRIPT = `
import json, os, sys
from cs import CloudStack, CloudStackApiException
api = CloudStack(endpoint=os.environ['LAB_URL'], key=os.environ['LAB_KEY'], secret=os.environ['LAB_SECRET'],
                 method=sys.argv[1], poll_interval=0.01, job_timeout=60)
out = {}
out['version'] = api.listCapabilities()['capability']['cloudstackversion']
routers = api.listRouters(listall=True, fetch_list=True)
out['routers'] = len(routers)
out['unique'] = len({r['id'] for r in routers})
vm = api.listSystemVms(systemvmtype='secondarystoragevm')['systemvm'][0]
out['stopped'] = api.stopSystemVm(id=vm['id'], fetch_result=True)['systemvm']['state']
out['cfg'] = api.updateConfiguration(name='integration.api.port', value='8096')['configuration']['value']
try:
    api.updateConfiguration(name='integration.api.port', value='abc')
except CloudStackApiException as e:
    out['err'] = [e.response.status_code, e.error['errorcode'], e.error['errortext']]
try:
    api.patchSystemVm(id=routers[0]['id'], fetch_result=True)
except CloudStackApiException as e:
    out['jobfail'] = e.error
print(json.dumps(out))
`;

const PROFILE_SCRIPT = `
import json, os
from cs import CloudStack, CloudStackApiException
api = CloudStack(endpoint=os.environ['LAB_URL'], key=os.environ['LAB_KEY'], secret=os.environ['LAB_SECRET'],
                 poll_interval=0.01, job_timeout=60)
out = {}
out['version'] = api.listCapabilities()['capability']['cloudstackversion']
out['servers'] = [[m['name'], m['state']] for m in api.listManagementServers()['managementserver']]
vms = api.listVirtualMachines(listall=True, fetch_list=True)
out['vms'] = len(vms)
out['volume'] = api.listVolumes(virtualmachineid=vms[0]['id'])['volume'][0]['type']
router = api.listRouters(listall=True)['router'][0]
try:
    api.stopSystemVm(id=router['id'])
except CloudStackApiException as e:
    out['sync431'] = [e.response.status_code, e.error['errortext']]
ssvm = api.listSystemVms(systemvmtype='secondarystoragevm')['systemvm'][0]
out['stopped'] = api.stopSystemVm(id=ssvm['id'], fetch_result=True)['systemvm']['state']
out['projectrouters'] = sorted({r.get('project') for r in api.listRouters(projectid=-1, fetch_list=True)})
print(json.dumps(out))
`;

describe('lab with real clients', function () {
  this.timeout(30_000);
  afterEach(stopLabs);

  for (const method of ['get', 'post']) {
    it(`python3-cs works unchanged (${method.toUpperCase()}, signature v3, paging, job polling, errors)`, async function () {
      if (!hasCs) {
        if (CI) throw new Error('python3-cs is required in CI (apt-get install -y python3-cs)');
        this.skip();
      }
      const lab = await testLab({ config: { bench: { routers: 620, networks: 100 } } });
      const { stdout } = await run(PY, ['-c', SCRIPT, method], {
        env: { ...process.env, LAB_URL: lab.apiUrl, LAB_KEY: lab.apiKey, LAB_SECRET: lab.secretKey },
      });
      const out = JSON.parse(stdout);
      expect(out).to.deep.equal({
        version: '4.20.1.0',
        routers: 620,
        unique: 620,
        stopped: 'Stopped',
        cfg: '8096',
        err: [431, 431, 'Value [abc] is not a valid [class java.lang.Integer].'],
        jobfail: { errorcode: 431, errortext: out.jobfail.errortext },
      });
      expect(out.jobfail.errortext).to.match(/patchSystemVm API can be used to patch CPVM \/ SSVM only\.$/);
      // The client signed with v3: the lab saw signatureVersion=3 and an expires parameter.
      expect(lab.state().settings['integration.api.port']).to.equal('8096');
    });
  }

  for (const version of ['4.18.2.5', '4.19.1.0', '4.20.1.0']) {
    it(`python3-cs works unchanged against the ${version} profile (two servers, instances, sync 431, project routers)`, async function () {
      if (!hasCs) {
        if (CI) throw new Error('python3-cs is required in CI (apt-get install -y python3-cs)');
        this.skip();
      }
      const lab = await testLab({ version });
      const { stdout } = await run(PY, ['-c', PROFILE_SCRIPT], {
        env: { ...process.env, LAB_URL: lab.apiUrl, LAB_KEY: lab.apiKey, LAB_SECRET: lab.secretKey },
      });
      const w = lab.world;
      expect(JSON.parse(stdout)).to.deep.equal({
        version,
        servers: [['mgmt1', 'Up'], ['mgmt2', 'Up']],
        vms: w.userVms.filter((v) => w.owner(v.ownerId).kind === 'account').length,
        volume: 'ROOT',
        sync431: [431, 'Unable to find a system vm of specified instanceId'],
        stopped: 'Stopped',
        projectrouters: ['project1'],
      });
    });
  }

  it('OpenSSH connects with the lab key and known_hosts under StrictHostKeyChecking=yes', async function () {
    if (!hasSsh) {
      if (CI) throw new Error('the OpenSSH client is required in CI');
      this.skip();
    }
    const lab = await testLab({ ssh: true });
    const { stdout } = await run('ssh', [
      '-n', '-F', '/dev/null', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${lab.knownHostsPath}`,
      '-o', 'IdentitiesOnly=yes', '-i', lab.privateKeyPath, '-p', String(lab.sshPort), 'root@127.0.0.1',
      'cat /etc/cloudstack-release && systemctl is-active cloudstack-management',
    ]);
    expect(stdout).to.equal('Cloudstack Release 4.20.1.0\nactive\n');
  });
});
