// Helpers that make JavaScript regular expressions behave like the Perl ones in ldirectord.
// Perl's \s is [ \t\n\r\f\v] on byte strings; JavaScript's also matches U+00A0 and friends,
// which would accept lines ldirectord rejects. Lines are stored without their "\n", so the
// 's' flag makes '.' match what Perl's '.' matches (anything but newline).

const PERL_SPACE = '[ \\t\\n\\r\\f\\v]';
const PERL_NON_SPACE = '[^ \\t\\n\\r\\f\\v]';

/** Compile a Perl-flavoured pattern: \s and \S get Perl's byte-string meaning. */
export function perl(source: string, flags = ''): RegExp {
  return new RegExp(source.replace(/\\s/g, PERL_SPACE).replace(/\\S/g, PERL_NON_SPACE), `s${flags}`);
}

/** `$x =~ /(\d+)/ ? $1 : undef` */
export function firstDigits(text: string): string | undefined {
  return /(\d+)/.exec(text)?.[1];
}

/** Perl truthiness of a captured digit string ("0" and "" are false). */
export function perlTrue(text: string | undefined): text is string {
  return text !== undefined && text !== '' && text !== '0';
}

/** Perl's quotemeta(): backslash before every byte that is not [A-Za-z0-9_] (bytes >= 128 too). */
export function quotemeta(text: string): string {
  return text.replace(/[^A-Za-z0-9_]/g, (c) => `\\${c}`);
}
