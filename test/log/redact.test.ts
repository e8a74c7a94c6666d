import { FIELD_MASK, redact, redactConfig } from '../../src/log/redact.js';

describe('redact', () => {
  test('a URL password, plain and as quotemeta() writes it in a real id', () => {
    expect(redact('GET http://user:S3cr3t@10.0.0.1:80/x failed')).toBe('GET http://user:***@10.0.0.1:80/x failed');
    expect(redact('negotiate:http:tcp:10.0.0.1:80::::1:gate:http\\:\\/\\/user\\:S3cr\\.t\\@10\\.0\\.0\\.1\\/:ok'))
      .toBe('negotiate:http:tcp:10.0.0.1:80::::1:gate:http\\:\\/\\/user\\:***\\@10\\.0\\.0\\.1\\/:ok');
    // No password: nothing to mask.
    expect(redact('mailto user@example.com via http://user@10.0.0.1/')).toBe('mailto user@example.com via http://user@10.0.0.1/');
  });
  test('values of secret-looking keys, typos included', () => {
    expect(redact('Unknown command "pasword=S3cr3t\n"')).toBe('Unknown command "pasword=***\n"');
    expect(redact('passwd = "two words" rest')).toBe('passwd = *** rest');
    expect(redact('/login?user=a&password=S3cr3t&x=1')).toBe('/login?user=a&password=***&x=1');
    expect(redact('secret\\=S3cr3t')).toBe('secret\\=***');
    expect(redact('checktype=negotiate service=http')).toBe('checktype=negotiate service=http');
  });
  test('known secrets, raw, URI-encoded and quotemeta()d', () => {
    expect(redact('a Pa$$ b Pa%24%24 c Pa\\$\\$ d', ['Pa$$'])).toBe('a *** b *** c *** d');
    expect(redact('nothing here', [undefined, ''])).toBe('nothing here');
  });
});

test('linear time: 1 MB texts built to make a backtracking pattern quadratic take well under a second', () => {
  const n = 250_000;
  const texts = ['a.'.repeat(n) + '@', 'a-'.repeat(n) + '=', `a://${'b\\:'.repeat(n)}/@`, 'a://'.repeat(n) + '@',
    `password${' '.repeat(4 * n)}x =`, `http://u:${'p'.repeat(4 * n)}/ @`];
  for (const text of texts) {
    const t0 = performance.now();
    redact(text, ['zz']);
    expect(performance.now() - t0).toBeLessThan(1000);
  }
});

describe('redactConfig', () => {
  test('masks passwd/secret fields and URL passwords anywhere; keeps short-secret letters elsewhere', () => {
    const config = {
      path: '/etc/x.cf',
      virtuals: [{
        passwd: 'wl', secret: '', scheduler: 'wlc', request: 'http://u:S3cr3t@h/?k=wl',
        reals: [{ url: 'http://u:S3cr3t@h/', ldirectordId: 'http\\:\\/\\/u\\:S3cr3t\\@h', checkKey: 'http\\:\\/\\/u\\:S3cr3t\\@h#ab' }],
      }],
      sharedChecks: [{ ldirectordId: 'http\\:\\/\\/u\\:S3cr3t\\@h', checkKey: 'k', virtuals: ['v'] }],
    };
    const out = redactConfig(config);
    expect(JSON.stringify(out)).not.toContain('S3cr3t');
    expect(out.virtuals[0]!.passwd).toBe(FIELD_MASK);
    expect(out.virtuals[0]!.secret).toBe('');
    expect(out.virtuals[0]!.scheduler).toBe('wlc');
    expect(out.virtuals[0]!.request).toBe('http://u:***@h/?k=***');
    // The model itself is not touched: ids stay what the daemon keys on.
    expect(config.virtuals[0]!.reals[0]!.url).toBe('http://u:S3cr3t@h/');
  });
});
