// checkOracle at the protocol level: no Oracle database is packaged for Debian, so a scripted TNS
// listener checks what the client sends (SID, host, port in the connect descriptor) and refuses
// it the way a real listener does. What a real Oracle server would answer after that (login,
// the SELECT) is NOT exercised here — see docs/CHECKS.md.
import { checkOracle, oracleDescriptor } from '../../src/checks/oracle.js';
import { startTnsListener, type TnsListener } from '../support/tns-listener.js';
import { freePort, startHangServer, type HangServer } from '../support/net.js';
import { serviceOptions, targetPort, timed } from '../support/check-options.js';
import { expectSocketsBackTo, socketHandles } from '../support/daemon.js';

let listener: TnsListener;
let hang: HangServer;

beforeAll(async () => {
  listener = await startTnsListener(12505);
  hang = await startHangServer();
});

afterAll(async () => {
  await Promise.all([listener?.close(), hang?.close()]);
});

const passwd = 'Oracle-Pw-Never-Logged';
const opts = (extra = {}) => serviceOptions('oracle', { login: 'scott', passwd, database: 'ORCL', request: '/SELECT 1 FROM dual', ...extra });

test('the descriptor names host, port and SID as DBD::Oracle\'s sid=…;host=…;port=… does', () => {
  expect(oracleDescriptor(targetPort(1521, '10.1.1.2'), 'ORCL'))
    .toBe('(DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=10.1.1.2)(PORT=1521))(CONNECT_DATA=(SID=ORCL)))');
});

test('speaks TNS to the real: the listener sees the SID and refuses it (ORA-12505) → down', async () => {
  const res = await checkOracle(targetPort(listener.port), opts(), AbortSignal.timeout(2000));
  expect(res.up).toBe(false);
  expect(res.message).toMatch(new RegExp(`^Oracle 127\\.0\\.0\\.1:${listener.port}: connect as scott to ORCL failed: .*ORCL`));
  expect(res.message).not.toContain(passwd);
  const d = listener.descriptors.at(-1) ?? '';
  expect(d).toContain('(SID=ORCL)');
  expect(d).toContain('(HOST=127.0.0.1)');
  expect(d).toContain(`(PORT=${listener.port})`);
  expect(d).not.toContain(passwd);
});

test('login and request are required (ldirectord: "Must specify a login and request string")', async () => {
  const res = await checkOracle(targetPort(listener.port), opts({ login: undefined }), AbortSignal.timeout(2000));
  expect(res).toMatchObject({ up: false, message: `Oracle 127.0.0.1:${listener.port}: must specify a login and request string` });
});

test('a SID that would break the descriptor is refused before connecting', async () => {
  const before = listener.descriptors.length;
  const res = await checkOracle(targetPort(listener.port), opts({ database: 'X)(HOST=evil' }), AbortSignal.timeout(2000));
  expect(res.up).toBe(false);
  expect(res.message).toMatch(/not allowed in a TNS descriptor/);
  expect(listener.descriptors.length).toBe(before);
});

test('down: connection refused', async () => {
  const port = await freePort();
  const res = await checkOracle(targetPort(port), opts(), AbortSignal.timeout(1500));
  expect(res.up).toBe(false);
  expect(res.message).toMatch(/connect as scott to ORCL failed: .*(refused|ECONNREFUSED)/);
});

test('down: accepts and never answers → one timeout, sockets closed', async () => {
  const before = socketHandles();
  const { res, wallMs } = await timed((s) => checkOracle(targetPort(hang.port), opts({ timeoutMs: 1000 }), s), 1000);
  expect(res.up).toBe(false);
  expect(res.message).toMatch(/timed out$/);
  expect(wallMs).toBeLessThan(1500);
  await expectSocketsBackTo(before);
});
