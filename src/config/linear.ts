// Unanchored searches that stay linear in the length of a config line. ldirectord's patterns are
// searched from every start position; where a failed attempt scans a long run (a 1 MB host name,
// a run of blanks), a backtracking engine pays that run at every start: quadratic. Each helper
// here only tries the starts where a match can begin first (a match at any other start implies
// one further left), so the result is the leftmost match, exactly as the unanchored search finds.

/** Perl's \s on byte strings. */
export function isPerlSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** Try the sticky pattern `re` at each start `starts` yields, in order; the first match wins. */
export function execAt(re: RegExp, text: string, starts: Iterable<number>): RegExpExecArray | null {
  if (!re.sticky) throw new Error('execAt needs a sticky (y) pattern');
  for (const start of starts) {
    re.lastIndex = start;
    const m = re.exec(text);
    if (m) return m;
  }
  return null;
}

/**
 * Where a real server's address can begin: the first character of each run of host-name
 * characters, and the first "[" of each run of bracket characters. A match inside such a run
 * extends to one at its start (the run's characters are all in the class that matched).
 */
export function* realSpecStarts(text: string, hostChar: RegExp, bracketChar: RegExp): Generator<number> {
  let prevHost = false;
  let bracketInRun = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const host = hostChar.test(c);
    if (host && !prevHost) yield i;
    prevHost = host;
    if (!bracketChar.test(c)) bracketInRun = false;
    else if (c === '[' && !bracketInRun) {
      bracketInRun = true;
      yield i;
    }
  }
}

/** The first position of each run of blanks (Perl \s). */
export function* blankRunStarts(text: string): Generator<number> {
  for (let i = 0; i < text.length; i++) {
    if (isPerlSpace(text.charCodeAt(i)) && (i === 0 || !isPerlSpace(text.charCodeAt(i - 1)))) yield i;
  }
}

/**
 * The first run of blanks followed by a '"'. For `\s+"(.*)"[, ]\s*"(.*)"(.*)` it is the only
 * start worth trying: whether a later `"[, ]\s*"…"` exists does not depend on where the first
 * quote is, so if the earliest opening quote fails, every later one fails too.
 */
export function* firstBlankRunBeforeQuote(text: string): Generator<number> {
  for (const start of blankRunStarts(text)) {
    let i = start;
    while (i < text.length && isPerlSpace(text.charCodeAt(i))) i++;
    if (text[i] === '"') {
      yield start;
      return;
    }
  }
}

/** `text =~ /\[(.*)\]/s ? $1 : undef` without retrying from every "[". */
export function insideBrackets(text: string): string | undefined {
  const open = text.indexOf('[');
  const close = text.lastIndexOf(']');
  return open >= 0 && close > open ? text.slice(open + 1, close) : undefined;
}

// Perl's split on blanks-comma-blanks (trailing empty fields kept; the caller drops them).
export function splitCommaList(text: string): string[] {
  const fields = text.split(',');
  if (fields.length === 1) return fields;
  return fields.map((f, i) => {
    let start = 0;
    let end = f.length;
    if (i > 0) while (start < end && isPerlSpace(f.charCodeAt(start))) start++;
    if (i < fields.length - 1) while (end > start && isPerlSpace(f.charCodeAt(end - 1))) end--;
    return f.slice(start, end);
  });
}
