// The lab hosts' shell: parsing (quotes, variables, operators, redirections), the basic commands and
// their coreutils/bash messages, and "command not found" with the list of emulated commands.

import { expect } from 'chai';
import { Vfs } from '../../src/lab/host/vfs.js';
import { BASIC_COMMANDS } from '../../src/lab/host/shell/builtins.js';
import { Interpreter, newShell } from '../../src/lab/host/shell/interpreter.js';
import { parseScript, ShellSyntaxError } from '../../src/lab/host/shell/parse.js';
import type { HostContext } from '../../src/lab/host/shell/types.js';

function host(): HostContext {
  const fs = new Vfs();
  fs.mkdir('/root');
  fs.mkdir('/tmp');
  fs.write('/etc/motd', 'line1\nline2\nline3\n');
  return { name: 'h1', fs, commands: new Map(BASIC_COMMANDS), home: '/root' };
}

async function run(script: string, h = host()): Promise<{ code: number; out: string; err: string; h: HostContext }> {
  let out = '';
  let err = '';
  const bg: Array<Promise<number>> = [];
  const code = await new Interpreter(h, newShell(h), (p) => bg.push(p)).runScript(script, { stdin: '', out: (s) => (out += s), err: (s) => (err += s) });
  await Promise.all(bg);
  return { code, out, err, h };
}

describe('lab shell', () => {
  it('parses quotes, escapes and variables like sh', async () => {
    expect((await run(`echo 'a  b' "c $HOME" d\\ e "x\\"y" ''`)).out).to.equal('a  b c /root d e x"y \n');
    expect((await run('X=1; echo "$X${X}"; echo $UNSET | wc -c')).out).to.equal('11\n1\n');
    expect((await run('false; echo $?; true; echo $?')).out).to.equal('1\n0\n');
    expect((await run("echo '$HOME'")).out).to.equal('$HOME\n');
  });

  it('runs && || ; with the right short-circuits and exit codes', async () => {
    expect(await run('true && echo yes || echo no')).to.include({ out: 'yes\n', code: 0 });
    expect(await run('false && echo yes || echo no')).to.include({ out: 'no\n', code: 0 });
    expect(await run('false; false')).to.include({ code: 1 });
    expect(await run('test -e /etc/motd && test -f /etc/motd && ! false')).to.include({ code: 0 });
    expect(await run('test -e /etc/motd && test -f /etc/motd && test ! -d /etc/motd')).to.include({ code: 0 });
    expect((await run('test -e /nope')).code).to.equal(1);
    expect((await run('[ 3 -gt 2 ] && [ "a" = "a" ] && [ -n "x" ] && [ -z "" ]')).code).to.equal(0);
    expect((await run('[ 3 -gt 2')).code).to.equal(2);
  });

  it('redirects >, >>, 2>&1, 2>/dev/null and &> into the virtual filesystem', async () => {
    const r = await run('echo one > /tmp/f; echo two >> /tmp/f; cat /nope 2>/dev/null; cat /nope > /tmp/e 2>&1; echo three &> /tmp/g; cat /tmp/f');
    expect(r.out).to.equal('one\ntwo\n');
    expect(r.h.fs.read('/tmp/e')).to.equal('cat: /nope: No such file or directory\n');
    expect(r.h.fs.read('/tmp/g')).to.equal('three\n');
    expect(r.err).to.equal('');
    expect((await run('echo x > /nodir/f')).err).to.equal('bash: /nodir/f: No such file or directory\n');
    expect((await run('cat < /etc/motd | wc -l')).out).to.equal('3\n');
  });

  it('tail -n, -c +N, wc -l, stat -c %s, printf, mkdir -p, rm -f, cd, pwd', async () => {
    expect((await run('tail -n 2 /etc/motd')).out).to.equal('line2\nline3\n');
    expect((await run('tail -c +7 /etc/motd')).out).to.equal('line2\nline3\n');
    expect((await run('tail -n +3 /etc/motd')).out).to.equal('line3\n');
    expect((await run('wc -l /etc/motd')).out).to.equal('3 /etc/motd\n');
    expect((await run('stat -c %s /etc/motd')).out).to.equal('18\n');
    expect((await run('stat -c %s /nope')).err).to.equal("stat: cannot statx '/nope': No such file or directory\n");
    expect((await run("printf '%s-%d\\n' a 7 b 8")).out).to.equal('a-7\nb-8\n');
    expect((await run('mkdir -p /a/b/c && cd /a/b && pwd && echo hi > x && cat /a/b/x')).out).to.equal('/a/b\nhi\n');
    expect((await run('mkdir /x/y')).err).to.equal("mkdir: cannot create directory '/x/y': No such file or directory\n");
    expect((await run('rm -f /nope && rm /nope')).err).to.equal("rm: cannot remove '/nope': No such file or directory\n");
    expect((await run('cd /nope')).err).to.equal('bash: line 1: cd: /nope: No such file or directory\n');
    expect((await run('tail -f /etc/motd')).code).to.equal(1);
    expect((await run('tail /nope')).err).to.equal("tail: cannot open '/nope' for reading: No such file or directory\n");
  });

  it('sh -c, bash -c, sudo, env VAR=x and nohup run their payload', async () => {
    expect((await run(`sh -c 'echo "in $0" && exit_code=3; echo $exit_code'`)).out).to.equal('in sh\n3\n');
    expect((await run(`sudo bash -c 'echo $HOME'`)).out).to.equal('/root\n');
    expect((await run('env GREETING=hi sh -c \'echo $GREETING\'')).out).to.equal('hi\n');
    expect((await run('GREETING=yo sh -c \'echo $GREETING\'; echo "[$GREETING]"')).out).to.equal('yo\n[]\n');
    expect((await run('nohup echo bg > /tmp/n 2>&1 &')).h.fs.read('/tmp/n')).to.equal('bg\n');
    expect((await run('cd /tmp && echo here > rel && cat /tmp/rel')).out).to.equal('here\n');
  });

  it('unknown commands print the emulated list and exit 127; unsupported syntax is reported', async () => {
    const r = await run('frobnicate --now');
    expect(r.code).to.equal(127);
    expect(r.err).to.match(/^lab: frobnicate: command not found \(this lab host emulates: .*cat.*echo.*\)\n$/);
    expect((await run('/usr/bin/echo via path')).out).to.equal('via path\n');
    expect((await run('/opt/x/run')).code).to.equal(127);
    expect((await run('echo $(( 1 + 2 ))')).err).to.match(/arithmetic expansion/);
    expect((await run('cat <<EOF')).code).to.equal(2);
    expect(() => parseScript("echo 'open")).to.throw(ShellSyntaxError);
    expect(() => parseScript('echo a &&')).to.throw(ShellSyntaxError);
  });

  it('parses background items and redirections into the AST', () => {
    const s = parseScript('nohup cloudstack-sysvmadm -a > /root/sysvm.log 2>&1 &');
    expect(s).to.have.length(1);
    expect(s[0]!.background).to.equal(true);
    const cmd = s[0]!.andOr.first.commands[0]!;
    expect(cmd.kind === 'simple' && cmd.redirects.map((r) => r.op)).to.deep.equal(['>', 'dup']);
  });
});
