// The Perl-regex translation used for every `receive`, checked against what perl itself says.
import { spawnSync } from 'node:child_process';
import { perlRegex } from '../../src/checks/util/perl-regex.js';

/** What `$subject =~ /$pattern/` gives in the real perl on this machine. */
function perlSays(pattern: string, subject: string): boolean {
  const r = spawnSync('perl', ['-e', 'my ($p, $s) = @ARGV; exit(($s =~ /$p/) ? 0 : 1)', pattern, subject]);
  if (r.status !== 0 && r.status !== 1) throw new Error(`perl failed: ${r.stderr}`);
  return r.status === 0;
}

const cases: Array<[string, string]> = [
  ['OK$', 'status OK\n'],
  ['OK$', 'status OK\nmore\n'],
  ['OK$', 'status OK\n\n'],
  ['^status', 'x\nstatus'],
  ['\\Aa', 'ab'],
  ['b\\z', 'ab\n'],
  ['b\\Z', 'ab\n'],
  ['(?i)hello', 'HeLLo world'],
  ['(?m)^two$', 'one\ntwo\nthree'],
  ['(?s)a.b', 'a\nb'],
  ['a.b', 'a\nb'],
  // \Q is not regex syntax: from a variable, perl reads it as a plain Q.
  ['\\Q1+1=2\\E', 'is 1+1=2?'],
  ['\\Q1+1=2\\E', 'Q11=2E'],
  ['[[:digit:]]{3}', 'code 200'],
  ['[[:alpha:]]+ [[:digit:]]', '!! ab 9'],
  ['x\\h+y', 'x \t y'],
  ['(?<word>o)k\\k<word>', 'okok oko'],
  ['(?P<q>a)(?P=q)', 'aa'],
  ['a(?#comment)b', 'ab'],
  ['(?x) a b  # spaced', 'ab'],
  ['[]a]', ']'],
  ['[^]a]', 'b'],
  ['caf\u00e9', 'caf\u00e9 au lait'],
  ['\\x{41}', 'A'],
  ['200 OK', 'HTTP/1.1 200 OK'],
];

describe('perlRegex agrees with perl', () => {
  it.each(cases)('/%s/ on %j', (pattern, subject) => {
    // The config module hands patterns over as byte strings (latin1), like perl's argv here.
    const bytes = (s: string) => Buffer.from(s, 'utf8').toString('latin1');
    const r = perlRegex(bytes(pattern));
    if (!r.ok) throw new Error(r.error);
    expect(r.re.test(bytes(subject))).toBe(perlSays(pattern, subject));
  });
});

describe('perlRegex refuses what it cannot express, never throws', () => {
  it.each(['foo(', '[abc', 'a++', '(?>a)', 'a\\G', 'x(?i)y', '\\x{263a}'])('%s', (pattern) => {
    const r = perlRegex(pattern);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain('invalid receive regex');
  });
});
