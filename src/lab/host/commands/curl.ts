// `curl` on the lab hosts, enough for scripts that talk to the local API or integration port:
// -s -S -f -o FILE -X METHOD -d DATA -H HEADER -w '%{http_code}' --max-time N URL.

import { Vfs } from '../vfs.js';
import type { CommandImpl } from '../shell/types.js';
import type { LabCore } from '../../core.js';
import { hostFetch } from './lab-http.js';

export function curlCommand(core: LabCore): CommandImpl {
  return async (argv, io, ctx) => {
    let silent = false;
    let showErrors = false;
    let failOnHttp = false;
    let output: string | undefined;
    let method: string | undefined;
    let data: string | undefined;
    let writeOut: string | undefined;
    const headers: Record<string, string> = {};
    let url: string | undefined;
    for (let i = 1; i < argv.length; i++) {
      const a = argv[i]!;
      if (/^-[sSfL]+$/.test(a)) {
        if (a.includes('s')) silent = true;
        if (a.includes('S')) showErrors = true;
        if (a.includes('f')) failOnHttp = true;
      } else if (a === '--silent') silent = true;
      else if (a === '--show-error') showErrors = true;
      else if (a === '--fail') failOnHttp = true;
      else if (a === '-o' || a === '--output') output = argv[++i];
      else if (a === '-X' || a === '--request') method = argv[++i];
      else if (a === '-d' || a === '--data' || a === '--data-urlencode') data = data === undefined ? argv[++i] : `${data}&${argv[++i]}`;
      else if (a === '-H' || a === '--header') {
        const h = argv[++i] ?? '';
        const c = h.indexOf(':');
        if (c > 0) headers[h.slice(0, c).trim()] = h.slice(c + 1).trim();
      } else if (a === '-w' || a === '--write-out') writeOut = argv[++i];
      else if (a === '-m' || a === '--max-time' || a === '--connect-timeout') i++;
      else if (a.startsWith('-')) {
        io.err(`lab: curl: option ${a} is not emulated\n`);
        return 2;
      } else url = a;
    }
    if (!url) {
      io.err("curl: try 'curl --help' or 'curl --manual' for more information\n");
      return 2;
    }
    if (data !== undefined) headers['Content-Type'] ??= 'application/x-www-form-urlencoded';
    const r = await hostFetch(core, url.includes('://') ? url : `http://${url}`, method ?? (data !== undefined ? 'POST' : 'GET'), data, headers);
    if (!r.ok) {
      if (!silent || showErrors) io.err(`curl: (${r.code}) ${r.message}\n`);
      return r.code;
    }
    if (failOnHttp && r.status >= 400) {
      if (!silent || showErrors) io.err(`curl: (22) The requested URL returned error: ${r.status}\n`);
      return 22;
    }
    if (output !== undefined && output !== '-') ctx.host.fs.write(Vfs.normalize(output, ctx.sh.cwd), r.body);
    else io.out(r.body);
    if (writeOut !== undefined) io.out(writeOut.replace(/%\{http_code\}/g, String(r.status)).replace(/\\n/g, '\n'));
    return 0;
  };
}
