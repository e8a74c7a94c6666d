// One TLS policy for every TLS check: https (nginx), pops and imaps (dovecot) serve the same
// certificate, signed by a throw-away CA, and must give the same verdict for every tlsverify
// value, trust source (none, NODE_EXTRA_CA_CERTS, SSL_CERT_FILE - both read when a check runs)
// and virtualhost. pops/imaps once ignored the CA bundle that https loads.
import { checkHttp } from '../../src/checks/http.js';
import { checkImap } from '../../src/checks/imap.js';
import { checkPop } from '../../src/checks/pop.js';
import type { CheckFn, CheckOptions, ServiceName, TlsVerify } from '../../src/checks/types.js';
import { startDovecot, type Dovecot } from '../support/dovecot.js';
import { startNginx, type Nginx } from '../support/nginx.js';
import { options, runCheck, target } from '../support/check-options.js';


let nginx: Nginx;
let dovecot: Dovecot;

beforeAll(async () => {
  nginx = await startNginx();
  dovecot = await startDovecot('alice', 'W0nder-land', { cert: nginx.certs.signedCert, key: nginx.certs.signedKey });
}, 60000);
afterAll(async () => {
  await dovecot?.stop();
  await nginx?.stop();
});

const saved = { extra: process.env.NODE_EXTRA_CA_CERTS, file: process.env.SSL_CERT_FILE };
afterEach(() => {
  for (const [name, value] of [['NODE_EXTRA_CA_CERTS', saved.extra], ['SSL_CERT_FILE', saved.file]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

type Trust = 'untrusted' | 'NODE_EXTRA_CA_CERTS' | 'SSL_CERT_FILE';

function trust(how: Trust): void {
  delete process.env.NODE_EXTRA_CA_CERTS;
  delete process.env.SSL_CERT_FILE;
  if (how !== 'untrusted') process.env[how] = nginx.certs.caCert;
}

const services: Array<{ service: ServiceName; check: CheckFn; port: () => number }> = [
  { service: 'https', check: checkHttp, port: () => nginx.httpsCaPort },
  { service: 'pops', check: checkPop, port: () => dovecot.ports.pop3s },
  { service: 'imaps', check: checkImap, port: () => dovecot.ports.imaps },
];

const cases: Array<{ how: Trust; verify: TlsVerify; virtualhost?: string }> = [];
for (const how of ['untrusted', 'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE'] as const) {
  for (const verify of ['chain', 'full', 'none'] as const) {
    // The certificate names 127.0.0.1, ::1 and www.tslvs.test, not other.tslvs.test.
    for (const virtualhost of [undefined, 'www.tslvs.test', 'other.tslvs.test']) cases.push({ how, verify, virtualhost });
  }
}

test.each(cases)('$how, tlsverify=$verify, virtualhost=$virtualhost: https, pops and imaps agree', async ({ how, verify, virtualhost }) => {
  trust(how);
  const expected = verify === 'none' || (how !== 'untrusted' && (verify === 'chain' || virtualhost !== 'other.tslvs.test'));
  const verdicts: Record<string, string> = {};
  for (const { service, check, port } of services) {
    const o: CheckOptions = options({ service, tlsVerify: verify, timeoutMs: 3000, request: '/', ...(virtualhost ? { virtualhost } : {}) });
    const r = await runCheck(check, target('127.0.0.1', port()), o);
    verdicts[service] = `${r.up ? 'up' : 'down'}: ${r.message}`;
  }
  const want = expected ? 'up' : 'down';
  for (const service of Object.keys(verdicts)) expect(`${service} ${verdicts[service]}`).toMatch(new RegExp(`^${service} ${want}:`));
}, 20000);
