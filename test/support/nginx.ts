// A throw-away nginx on loopback: plain http (v4 and v6), https with a self-signed certificate
// and https with a certificate from a throw-away CA, each on its own high port.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from './net.js';
import { makeCerts, type CertSet } from './tls-cert.js';
import { requireBinary, run, spawnDaemon, tempDir, waitForTcp, type Daemon } from './foreground.js';

export interface Nginx {
  httpPort: number;
  httpsSelfPort: number;
  httpsCaPort: number;
  certs: CertSet;
  /** Basic-auth user/password that /auth accepts. */
  authUser: string;
  authPass: string;
  stop(): Promise<void>;
}

export async function startNginx(): Promise<Nginx> {
  const bin = requireBinary('/usr/sbin/nginx', 'nginx');
  const tmp = tempDir('nginx');
  const d = tmp.dir;
  const certs = await makeCerts(d);
  const [httpPort, httpsSelfPort, httpsCaPort] = [await freePort(), await freePort(), await freePort()];
  const authUser = 'checker';
  const authPass = 'pa55-Wd-9xq';
  const hash = (await run('/usr/bin/openssl', ['passwd', '-apr1', authPass])).trim();
  writeFileSync(path.join(d, 'htpasswd'), `${authUser}:${hash}\n`);
  // A file, not `return`: return runs before the access phase and would skip auth_basic.
  writeFileSync(path.join(d, 'auth.txt'), 'authorised\n');
  const locations = `
      location = / { return 200 "hello from tslvs nginx\\n"; }
      location = /health { return 200 "status: OK\\nversion 1\\n"; }
      location = /down { return 503 "maintenance\\n"; }
      location = /host { return 200 "host=$http_host\\n"; }
      location = /redirect { return 302 /health; }
      location = /loop { return 302 /loop; }
      location = /auth { auth_basic "tslvs"; auth_basic_user_file ${d}/htpasswd; alias ${d}/auth.txt; }
      location = /method { return 200 "method=$request_method\\n"; }`;
  const user = process.getuid?.() === 0 ? 'user root root;' : '';
  writeFileSync(path.join(d, 'nginx.conf'), `
${user}
daemon off;
master_process on;
worker_processes 1;
pid ${d}/nginx.pid;
error_log ${d}/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  default_type text/plain;
  client_body_temp_path ${d}/body; proxy_temp_path ${d}/proxy; fastcgi_temp_path ${d}/fastcgi;
  uwsgi_temp_path ${d}/uwsgi; scgi_temp_path ${d}/scgi;
  server { listen 127.0.0.1:${httpPort} default_server; listen [::1]:${httpPort} default_server; ${locations} }
  server { listen 127.0.0.1:${httpPort}; listen [::1]:${httpPort}; server_name www.tslvs.test;
    location = / { return 200 "virtual host www.tslvs.test\\n"; } }
  server { listen 127.0.0.1:${httpsSelfPort} ssl; ssl_certificate ${certs.selfCert}; ssl_certificate_key ${certs.selfKey}; ${locations} }
  server { listen 127.0.0.1:${httpsCaPort} ssl; ssl_certificate ${certs.signedCert}; ssl_certificate_key ${certs.signedKey}; ${locations} }
}
`);
  const daemon: Daemon = spawnDaemon(bin, ['-p', d, '-c', path.join(d, 'nginx.conf'), '-e', path.join(d, 'error.log')]);
  try {
    for (const p of [httpPort, httpsSelfPort, httpsCaPort]) await waitForTcp('127.0.0.1', p, daemon);
    await waitForTcp('::1', httpPort, daemon);
  } catch (e) {
    await daemon.stop();
    tmp.remove();
    throw e;
  }
  return {
    httpPort, httpsSelfPort, httpsCaPort, certs, authUser, authPass,
    stop: async () => { await daemon.stop(); tmp.remove(); },
  };
}
