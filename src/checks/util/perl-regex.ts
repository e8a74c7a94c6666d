// ldirectord matches `receive` as a Perl regex interpolated into /.../ against bytes. This
// translates the Perl constructs that mean something different (or nothing) in JavaScript and
// refuses the ones JavaScript cannot express, so a bad or unsupported pattern becomes a clear
// "down" message instead of a crash or a silently different match.
//
// - Both sides are bytes, as in Perl without `use utf8`: the pattern is a byte string (the
//   config is read as latin1, one char per byte - src/config/model.ts) and callers match
//   latin1-decoded data.
// - `$` (no /m) matches at the end or before a final newline in Perl: (?=\n?(?![\s\S])).
// - \A \z \Z, \h \H \R \e, \x{...}, (?#...), (?P<n>...), (?P=n), POSIX [:classes:],
//   and leading (?imsx) flags are translated.
// - Atomic groups, possessive quantifiers, \G, \K, mid-pattern (?i) and code blocks are refused.

export type PerlRegexResult = { ok: true; re: RegExp } | { ok: false; error: string };

const POSIX: Record<string, string> = {
  alpha: 'A-Za-z', digit: '0-9', alnum: 'A-Za-z0-9', upper: 'A-Z', lower: 'a-z', space: '\\s',
  blank: ' \\t', punct: '!-\\/:-@\\[-`{-~', xdigit: '0-9A-Fa-f', word: '\\w', cntrl: '\\x00-\\x1f\\x7f',
  print: '\\x20-\\x7e', graph: '\\x21-\\x7e', ascii: '\\x00-\\x7f',
};

export function perlRegex(pattern: string): PerlRegexResult {
  try {
    return { ok: true, re: new RegExp(...translate(pattern)) };
  } catch (err) {
    const why = (err as Error).message.replace(/^Invalid regular expression: /, '');
    return { ok: false, error: `invalid receive regex /${pattern}/: ${why}` };
  }
}

function translate(src: string): [string, string] {
  let flags = '';
  let i = 0;
  let extended = false;
  // Leading (?imsx) applies to the whole pattern in effect; JavaScript only has global flags.
  const lead = /^\(\?([imsx]+)\)/.exec(src);
  if (lead) {
    for (const f of lead[1]!) {
      if (f === 'x') extended = true;
      else if (!flags.includes(f)) flags += f;
    }
    i = lead[0].length;
  }
  const multiline = flags.includes('m');
  let out = '';
  let inClass = false;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\\') {
      const n = src[i + 1];
      if (n === undefined) throw new Error('trailing backslash');
      // \Q...\E is string interpolation, not regex syntax: in a pattern that comes from a
      // variable (ldirectord's /$recstr/) Perl reads \Q as a plain Q - as JavaScript does.
      if (n === 'x' && src[i + 2] === '{') {
        const end = src.indexOf('}', i + 3);
        if (end < 0) throw new Error('unterminated \\x{');
        const code = parseInt(src.slice(i + 3, end), 16);
        if (!Number.isFinite(code) || code > 0xff) throw new Error('\\x{...} above \\xff does not match bytes');
        out += `\\x${code.toString(16).padStart(2, '0')}`;
        i = end + 1;
        continue;
      }
      if (!inClass) {
        if (n === 'A') { out += '(?<![\\s\\S])'; i += 2; continue; }
        if (n === 'z') { out += '(?![\\s\\S])'; i += 2; continue; }
        if (n === 'Z') { out += '(?=\\n?(?![\\s\\S]))'; i += 2; continue; }
        if (n === 'R') { out += '(?:\\r\\n|[\\n\\v\\f\\r\\x85])'; i += 2; continue; }
        if (n === 'h') { out += '[\\t ]'; i += 2; continue; }
        if (n === 'H') { out += '[^\\t ]'; i += 2; continue; }
        if (n === 'G' || n === 'K') throw new Error(`\\${n} is not supported`);
      } else if (n === 'h') { out += '\\t '; i += 2; continue; }
      if (n === 'e') { out += '\\x1b'; i += 2; continue; }
      out += c + n;
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === '[' && src[i + 1] === ':') {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(src.slice(i));
        if (m && POSIX[m[2]!] !== undefined) {
          if (m[1]) throw new Error('negated POSIX classes are not supported');
          out += POSIX[m[2]!];
          i += m[0].length;
          continue;
        }
      }
      if (c === ']') inClass = false;
      out += c === '[' ? '\\[' : c;
      i++;
      continue;
    }
    if (extended && /\s/.test(c)) { i++; continue; }
    if (extended && c === '#') {
      const nl = src.indexOf('\n', i);
      i = nl < 0 ? src.length : nl + 1;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      i++;
      // A ']' first in a class (after an optional '^') is a literal in Perl.
      if (src[i] === '^') { out += '^'; i++; }
      if (src[i] === ']') { out += '\\]'; i++; }
      continue;
    }
    if (c === '$') {
      out += multiline ? '$' : '(?=\\n?(?![\\s\\S]))';
      i++;
      continue;
    }
    if (c === '(' && src[i + 1] === '?') {
      const rest = src.slice(i + 2);
      if (rest.startsWith('#')) {
        const end = src.indexOf(')', i);
        i = end < 0 ? src.length : end + 1;
        continue;
      }
      if (rest.startsWith('P<')) { out += '(?<'; i += 4; continue; }
      if (rest.startsWith('P=')) {
        const end = src.indexOf(')', i);
        out += `\\k<${src.slice(i + 4, end)}>`;
        i = end + 1;
        continue;
      }
      if (/^(?:[:=!]|<[=!]|<[A-Za-z_])/.test(rest)) { out += '(?'; i += 2; continue; }
      throw new Error(`(?${rest.slice(0, 2)}... is not supported`);
    }
    if ((c === '+') && i > 0 && /[*+?}]/.test(src[i - 1]!) && src[i - 2] !== '\\') {
      throw new Error('possessive quantifiers are not supported');
    }
    out += c;
    i++;
  }
  if (inClass) throw new Error('unterminated character class');
  return [out, flags];
}

/** Bytes (a Buffer, or a JS string's UTF-8) as the one-char-per-byte string patterns match. */
export function latin1(data: Buffer | string): string {
  return typeof data === 'string' ? Buffer.from(data, 'utf8').toString('latin1') : data.toString('latin1');
}
