// The lab shell's compound commands, expansion, processes and job control: what scripts and stackplay's
// own command lines need (follow's detach, pid file and kill; become's sudo/if/read/exec form). The
// command lines under test come from the production modules, so they cannot drift from what is sent.

import { expect } from 'chai';
import { Vfs } from '../../src/lab/host/vfs.js';
import { BASIC_COMMANDS } from '../../src/lab/host/shell/builtins.js';
import { Interpreter, newShell, procsOf } from '../../src/lab/host/shell/interpreter.js';
import type { CommandImpl, HostContext } from '../../src/lab/host/shell/types.js';
import { aliveCommand, followFiles, killCommand, readPidCommand, startCommand } from '../../src/steps/remote/follow-remote.js';
import { buildCommand } from '../../src/steps/remote/command.js';

/** `sleep N`: waits until killed (or N×10 ms); enough to keep a process alive while a test looks at it. */
const sleep: CommandImpl = async (argv, _io, ctx) => {
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, Number(argv[1]) * 10);
    ctx.signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
  return 0;
};

function host(): HostContext {
  const fs = new Vfs();
  for (const d of ['/root', '/tmp']) fs.mkdir(d);
  return { name: 'h1', fs, commands: new Map([...BASIC_COMMANDS, ['sleep', sleep]]), home: '/root' };
}

async function run(script: string, h = host(), stdin = ''): Promise<{ code: number; out: string; err: string; h: HostContext }> {
  let out = '';
  let err = '';
  const code = await new Interpreter(h, newShell(h)).runScript(script, { stdin, out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err, h };
}

describe('lab shell: compound commands, processes and job control', () => {
  it('runs if/elif/else, for, while/until, case, functions, break/continue and exit like sh', async () => {
    expect((await run('if false; then echo a; elif true; then echo b; else echo c; fi')).out).to.equal('b\n');
    expect((await run('if false; then echo a; fi; echo "st=$?"')).out).to.equal('st=0\n');
    expect((await run('for i in 1 2 3 4; do [ $i = 2 ] && continue; [ $i = 4 ] && break; echo $i; done')).out).to.equal('1\n3\n');
    expect((await run('n=; while [ "$n" != xx ]; do n=${n}x; done; until true; do echo never; done; echo $n')).out).to.equal('xx\n');
    expect((await run('case "Zs" in S*|R*) echo run;; Z*) echo zombie;; *) echo other;; esac')).out).to.equal('zombie\n');
    expect((await run('case x.log in *.txt) echo t;; "*.log") echo q;; *.log) echo l;; esac')).out).to.equal('l\n');
    expect((await run('f() { echo "$1/$#"; return 3; }; f a "b c"; echo $?')).out).to.equal('a/2\n3\n');
    expect((await run('t() { echo $1; [ "$1" = xx ] || t "$1"x; }; t x')).out).to.equal('x\nxx\n');
    expect(await run('exit 4; echo no')).to.include({ code: 4, out: '' });
    expect((await run('sh -c "exit 3"; echo $?; (exit 5); echo $?; { echo g; } > /tmp/g; cat /tmp/g')).out).to.equal('3\n5\ng\n');
    expect((await run('(cd /tmp; pwd); pwd')).out).to.equal('/tmp\n/root\n');
    expect((await run('! true; echo $?; ! false && echo neg')).out).to.equal('1\nneg\n');
  });

  it('substitutes commands and splits unquoted expansions on IFS, never quoted ones', async () => {
    expect((await run('echo $(printf "a   b") "$(printf "c   d")" `echo e`')).out).to.equal('a b c   d e\n');
    expect((await run('x=$(printf "1\\n2\\n\\n"); echo "[$x]"')).out).to.equal('[1\n2]\n');
    expect((await run('v="a b"; for w in $v "$v"; do echo "<$w>"; done')).out).to.equal('<a>\n<b>\n<a b>\n');
    expect((await run('f() { for a in "$@"; do echo "<$a>"; done; echo "$#"; }; f "x y" z; f')).out).to.equal('<x y>\n<z>\n2\n0\n');
    expect((await run('e=; printf "[%s]" $e "" "$e"; echo')).out).to.equal('[][]\n');
    expect((await run('IFS=,; v=a,b; for w in $v; do echo $w; done')).out).to.equal('a\nb\n');
    expect((await run('echo ~ ~/x "~"')).out).to.equal('/root /root/x ~\n');
  });

  it('gives every job a pid: $$, $!, ps -o, pgrep -P and kill -0 see the same table', async () => {
    const h = host();
    const r = await run('sleep 1000 & p=$!; echo "$$ $p"; ps -o pid=,ppid=,pgid=,stat=,args= -p $p; pgrep -P $$; kill -0 $p && echo alive; kill $p; wait $p; echo "st=$?"; kill -0 $p', h);
    const [shell, job] = r.out.split('\n')[0]!.split(' ').map(Number) as [number, number];
    expect(r.out.split('\n').slice(1)).to.deep.equal([
      `${String(job).padStart(7)} ${String(shell).padStart(7)} ${String(shell).padStart(7)} S    sleep 1000`,
      String(job), 'alive', 'st=143', '',
    ]);
    expect(r.err).to.equal(`bash: kill: (${job}) - No such process\n`);
    expect(procsOf(h).list()).to.deep.equal([]);
  });

  it("follow's start, pid file, alive check and kill work as they do over OpenSSH", async () => {
    const h = host();
    const f = followFiles('/tmp/run/cmd.log');
    // The start exec returns at once; the detached job keeps running in the (now gone) exec's group.
    const bg: Array<Promise<number>> = [];
    const started = await new Interpreter(h, newShell(h), (p) => bg.push(p)).runScript(startCommand('echo started; sleep 1000; echo never', f), { stdin: '', out: () => undefined, err: () => undefined });
    expect(started).to.equal(0);
    const pid = Number((await run(readPidCommand(f), h)).out.trim());
    expect(pid).to.be.greaterThan(0);
    expect((await run(aliveCommand(pid), h)).code).to.equal(0);
    expect((await run('pgrep -f "sleep 1000"', h)).code).to.equal(0);
    const k = await run(killCommand(f, pid), h);
    expect(k).to.include({ code: 0, err: '' });
    await Promise.all(bg);
    expect((await run(aliveCommand(pid), h)).code).to.equal(1);
    expect((await run('pgrep -f "sleep 1000"', h)).code).to.equal(1);
    expect(h.fs.read(f.log)).to.equal('started\n');
    expect(h.fs.exists(f.rc)).to.equal(false);
  });

  it('a command that ends by itself leaves its exit code; killing only it lets the wrapper record 143', async () => {
    const h = host();
    const f = followFiles('/tmp/cmd.log');
    const bg: Array<Promise<number>> = [];
    const exec = (s: string) => new Interpreter(h, newShell(h), (p) => bg.push(p)).runScript(s, { stdin: '', out: () => undefined, err: () => undefined });
    await exec(startCommand('sh -c "exit 7"', f));
    await Promise.all(bg.splice(0));
    expect(h.fs.read(f.rc)).to.equal('7\n');
    await exec(startCommand('sleep 1000', f));
    await run('kill $(pgrep -f "^sleep 1000")', h);
    await Promise.all(bg);
    expect(h.fs.read(f.rc)).to.equal('143\n');
  });

  it('runs the command lines become produces, with and without a sudo password', async () => {
    const plain = buildCommand({ command: 'echo "$HOME" && cat', become: true }, undefined);
    expect(await run(plain.command, host(), 'in\n')).to.include({ code: 0, out: '/root\nin\n' });
    const pw = buildCommand({ command: 'cat; echo done', become: true, stdin: 'data line\n' }, 'sudo-secret');
    const r = await run(pw.command, host(), pw.stdin ?? '');
    expect(r).to.include({ code: 0, err: '' });
    // the password line is consumed before the command runs: the command reads only its own input
    expect(r.out).to.equal('data line\ndone\n');
    const cwd = buildCommand({ command: 'pwd', become: true, cwd: '/tmp', env: { A: 'b c' } }, undefined);
    expect((await run(cwd.command)).out).to.equal('/tmp\n');
  });

  it('read takes one line at a time (IFS splitting, -r), head/tr/grep filter text', async () => {
    expect((await run('read a b; read c; echo "[$a][$b][$c]"; cat', host(), '  x  y z \n second\nthird\n')).out).to.equal('[x][y z][second]\nthird\n');
    expect((await run('IFS= read -r l; echo "[$l]"', host(), '  a\\b  \n')).out).to.equal('[  a\\b  ]\n');
    expect((await run('read x; echo $?', host(), '')).out).to.equal('1\n');
    expect((await run('printf "1\\n2\\n3\\n" | head -n 2; printf "abc" | head -c 2; echo; printf "1\\n2\\n3\\n" | head -n -1')).out).to.equal('1\n2\nab\n1\n2\n');
    expect((await run('echo " 4 2 " | tr -d " "; echo abc | tr a-c A-C; echo "a  b" | tr -s " "')).out).to.equal('42\nABC\na b\n');
    expect((await run('printf "a\\nb\\nab\\n" | grep -v b; printf "x1\\ny2\\n" | grep -c -E "[0-9]"; echo q | grep -q z; echo $?')).out).to.equal('a\n2\n1\n');
  });
});
