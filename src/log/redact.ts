// Secrets never leave the process. Every output - check messages, the log, monitorfile lines,
// `tslvs validate` (text and JSON), config errors - passes through redact() (or, for the
// parsed config, redactConfig()) on its way out. Internal identities (real ids, probe keys)
// keep the real values: redaction happens at output, never in the model.
//
// What is masked, as "***":
// - a URL's userinfo password, "scheme://user:PASSWORD@", also in its quotemeta()'d form
//   ("http\:\/\/user\:PASSWORD\@", as ldirectord's real ids carry the request);
// - the value of a secret-looking key, "passwd=V", "pasword = V", "secret=V", "token=V"
//   (mistyped directive names included, as an "Unknown command" error echoes them);
// - every known secret value (passwd, secret), raw, URI-encoded and quotemeta()'d.

export const TEXT_MASK = '***';
/** What `validate` shows instead of a configured passwd/secret. */
export const FIELD_MASK = '********';

// Both patterns run in linear time on any text (a lookbehind lets a run of scheme or key
// characters start a match only once; the key is judged after the match, not by backtracking).
// Each URL piece may be backslash-escaped (quotemeta). $1 keeps "scheme://user:", $2 the "@".
const URL_PASSWORD = /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*\\?:\\?\/\\?\/(?:\\[^\s:]|[^\\/\s:@])*\\?:)(?:\\\S|[^\\/\s@])*?(\\?@)/gi;
// key = value, the key then tested for "password" (or a typo of it), "secret", "token".
const ASSIGNMENT = /(?<![a-z0-9_-])([a-z0-9_-]+)(\s*\\?=\s*)("[^"\n]*"?|'[^'\n]*'?|[^\s"'&;]+)/gi;
const SECRET_NAME = /pa?s+w|pwd|secret|token|credential/i;

function forms(secret: string): string[] {
  // Perl's quotemeta(), as in config/perl.ts (inlined: log/ must not depend on config/).
  const quoted = secret.replace(/[^A-Za-z0-9_]/g, (c) => `\\${c}`);
  return [...new Set([secret, encodeURIComponent(secret), quoted])].sort((a, b) => b.length - a.length);
}

export function redact(text: string, secrets: ReadonlyArray<string | undefined> = []): string {
  let out = text;
  // Most texts have nothing to hide: skip the regexes unless they can match.
  if (out.includes('@')) out = out.replace(URL_PASSWORD, `$1${TEXT_MASK}$2`);
  if (out.includes('=')) {
    out = out.replace(ASSIGNMENT, (all, key: string, eq: string) => (SECRET_NAME.test(key) ? `${key}${eq}${TEXT_MASK}` : all));
  }
  for (const s of secrets) {
    if (!s) continue;
    for (const form of forms(s)) out = out.split(form).join(TEXT_MASK);
  }
  return out;
}

// The config fields that carry free text, where a secret's value may be quoted; elsewhere (a
// scheduler "wlc", an address) a short passwd would otherwise mask innocent letters.
const FREE_TEXT = new Set(['request', 'receive', 'url', 'ldirectordId', 'checkKey', 'checkcommand', 'virtualhost', 'login', 'database']);

/** Every string inside a JSON-like value through redact(); secret values only in FREE_TEXT fields. */
function redactDeep<T>(value: T, secrets: ReadonlyArray<string | undefined>, key = ''): T {
  if (typeof value === 'string') return redact(value, FREE_TEXT.has(key) ? secrets : []) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets, key)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, secrets, k);
    return out as T;
  }
  return value;
}

interface WithSecrets { passwd: string; secret: string }

/**
 * The parsed config as `validate` prints it: passwd/secret shown as FIELD_MASK, and every
 * string of a virtual (its reals' url, request, ldirectordId, checkKey …) redacted with that
 * virtual's secrets; global strings and the shared-check list lose URL passwords too.
 */
export function redactConfig<C extends { virtuals: V[] }, V extends WithSecrets>(config: C): C {
  const virtuals = config.virtuals.map((v) => {
    const secrets = [v.passwd, v.secret];
    return { ...redactDeep(v, secrets), passwd: v.passwd ? FIELD_MASK : '', secret: v.secret ? FIELD_MASK : '' };
  });
  const allSecrets = config.virtuals.flatMap((v) => [v.passwd, v.secret]);
  return { ...redactDeep({ ...config, virtuals: [] }, allSecrets), virtuals };
}
