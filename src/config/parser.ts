// A faithful reading of ldirectord.cf, following ldirectord 4.12's read_config() line by line:
// the same directive patterns (unanchored where ldirectord's are), the same order of checks,
// the same error texts and line numbers. Quirks that operators can observe are kept; the few
// deliberate differences are marked "tslvs:" and listed in docs/COMPATIBILITY.md.
import { ConfigError } from './errors.js';
import { smtpAddress } from './smtp-address.js';
import { execAt, firstBlankRunBeforeQuote, insideBrackets, realSpecStarts, splitCommaList } from './linear.js';
import { firstDigits, perl, perlTrue } from './perl.js';
import type { NameResolver } from './resolve.js';
import { EMAIL_STATUSES } from './model.js';
import { intToIp, ipToInt, isIPv6Literal, portToService, virtualIdOf } from './ids.js';
import { hostPort } from '../ipvs/keys.js';
import type { EmailStatus, Family, Fallback, Forward, GlobalConfig } from './model.js';
import { SERVICE_NAMES } from '../checks/types.js';
import type { CheckType, ServiceName } from '../checks/types.js';

/** What read_config() leaves behind, before ld_setup()'s defaulting (see setup.ts). */
export interface RawVirtual {
  line: number;
  family: Family;
  protocol: 'tcp' | 'udp' | 'fwm';
  /** Numeric address without brackets, after resolution. */
  address?: string;
  port: number;
  fwmark?: number;
  service?: ServiceName;
  checktype: CheckType;
  combinedConnects?: number;
  scheduler: string;
  checkcommand: string;
  request: string;
  receive: string;
  login: string;
  passwd: string;
  database: string;
  secret: string;
  checktimeout?: number;
  negotiatetimeout?: number;
  checkcount?: number;
  failurecount?: number;
  checkinterval?: number;
  checkport?: number;
  load?: string;
  persistent?: number;
  schedflags?: string;
  netmask?: string;
  ops: boolean;
  httpmethod: 'GET' | 'HEAD';
  virtualhost?: string;
  fallback?: Fallback;
  fallbackcommand?: string;
  quiescent?: boolean;
  emailalert?: string;
  emailalertfreq?: number;
  emailalertstatus?: EmailStatus[];
  monitorfile?: string;
  cleanstop?: boolean;
  smtp?: string;
  servicename?: string;
  comment?: string;
  tlsVerify?: 'chain' | 'full' | 'none';
  reals: RawReal[];
}

export interface RawReal {
  address: string;
  family: Family;
  port: number;
  forward: Forward;
  weight: number;
  /** Set only when the real line had its own "request", "receive" pair. */
  request?: string;
  receive?: string;
  lowerThreshold: number;
  upperThreshold: number;
  line: number;
}

/** The global settings are final as read: ld_setup() changes nothing there. */
export type RawGlobal = GlobalConfig;

/** File-system probes read_config() performs; injectable so `validate` touches nothing. */
export interface ConfigFileProbe {
  /** null when `path` can be opened for append, else strerror text ("Permission denied"). */
  appendError(path: string): string | null;
  isDirectory(path: string): boolean;
}

export interface ParseOptions {
  resolver: NameResolver;
  probe: ConfigFileProbe;
  /** ldirectord -d skips the log file test (ld_openlog returns at once in debug mode). */
  debug?: boolean;
  /** tslvs: refuse IPv4 ranges larger than this (ldirectord would try to add them all). */
  maxRangeSize?: number;
  /** tslvs: refuse longer lines (default MAX_LINE_LENGTH; ldirectord reads any length). */
  maxLineLength?: number;
}

/**
 * tslvs: the longest line read, in bytes. The longest real values (a request or receive string,
 * a checkcommand, a real with its request/receive pair) are a few hundred bytes; 64 KiB is
 * far beyond any of them yet bounds what one line costs to parse, echo in an error and log.
 */
export const MAX_LINE_LENGTH = 65536;

export interface ParseResult {
  global: RawGlobal;
  virtuals: RawVirtual[];
  warnings: Array<{ line?: number; message: string }>;
}

const FORWARDS = ['gate', 'masq', 'ipip'] as const;
const CHECKTYPES = ['connect', 'negotiate', 'ping', 'off', 'on', 'external', 'external-perl'] as const;
const SERVICE_ERROR = 'service must be dns, ftp, http, https, http_proxy, imap, imaps, ldap, ldaps, '
  + 'mysql, nntp, none, oracle, pop, pops, radius, pgsql, simpletcp, sip, smtp or submission';

/** A real server's address: dotted quad, host name or bracketed IPv6 (A-f is ldirectord's range). */
const HOST_FORMS = '\\d+\\.\\d+\\.\\d+\\.\\d+|[A-Za-z0-9.-]+|\\[[0-9A-fa-f:]+\\]';

// Directive patterns, compiled once. Lines are held without their "\n".
const RE = {
  virtual: perl('^virtual(6)?\\s*=\\s*(.*)'),
  vV4: perl('^(\\d+\\.\\d+\\.\\d+\\.\\d+):([0-9A-Za-z-_]+)'),
  vHost: perl('^([0-9A-Za-z._+-]+):([0-9A-Za-z-_]+)'),
  vFwm: perl('^(\\d+)'),
  vV6: perl('^\\[([0-9A-Fa-f:]+)\\]:([0-9A-Za-z-_]+)'),
  comment: perl('^\\s*#'),
  blank: perl('^\\s*$'),
  indented: perl('^ {4,}(.+)'),
  real: perl('^(real(6)?)\\s*=\\s*(.*)'),
  // Sticky: tried only where an address can begin (linear.ts), not at every position.
  realSpec: perl(`(${HOST_FORMS})(->(${HOST_FORMS}))?(:(\\d+|[A-Za-z0-9-_]+))?\\s+(.*)`, 'y'),
  realHostChar: /[A-Za-z0-9.-]/,
  realBracketChar: /[0-9A-fa-f:]/,
  fwdWord: perl('(\\w+)(.*)'),
  // (?<!\s) and (?<!\S): a match inside a run of blanks (or non-blanks) extends to the run's
  // start, so trying only run starts finds the same leftmost match in linear time.
  weight: perl('(?<!\\s)\\s+(\\d+)(.*)'),
  pair: perl('\\s+"(.*)"[, ]\\s*"(.*)"(.*)', 'y'),
  lower: perl('\\s+l:(\\d+)(.*)'),
  upper: perl('\\s+u:(\\d+)(.*)'),
  nonSpace: perl('\\S'),
  fbSplit: perl('(?<!\\S)(\\S+)(\\s+(\\S+))?\\s*$'),
  fbPort: perl('(:(\\d+|[A-Za-z0-9-_]+))?$'),
  hostServPort: perl('(:(\\d+|[A-Za-z0-9-_]+))?$'),
};

function directive(name: string, quoted = false): RegExp {
  return perl(quoted ? `^${name}\\s*=\\s*"(.*)"` : `^${name}\\s*=\\s*(.*)`);
}

const V = {
  request: directive('request', true), receive: directive('receive', true),
  checktype: directive('checktype'), checkcommandQ: directive('checkcommand', true),
  checkcommand: directive('checkcommand'), checktimeout: directive('checktimeout'),
  connecttimeout: directive('connecttimeout'), negotiatetimeout: directive('negotiatetimeout'),
  checkcount: directive('checkcount'), failurecount: directive('failurecount'),
  checkinterval: directive('checkinterval'), checkport: directive('checkport'),
  login: directive('login', true), passwd: directive('passwd', true),
  database: directive('database', true), secret: directive('secret', true),
  load: directive('load', true), scheduler: directive('scheduler'),
  persistent: directive('persistent'), schedflags: directive('schedflags'),
  netmask: directive('netmask'), protocol: directive('protocol'), ops: directive('ops'),
  service: directive('service'), httpmethod: directive('httpmethod'),
  virtualhost: directive('virtualhost'), fallback: perl('^(fallback(6)?)\\s*=\\s*(.*)'),
  fallbackcommandQ: directive('fallbackcommand', true), fallbackcommand: directive('fallbackcommand'),
  quiescent: directive('quiescent'), emailalert: directive('emailalert'),
  emailalertfreq: perl('^emailalertfreq\\s*=\\s*(\\d*)'), emailalertstatus: directive('emailalertstatus'),
  monitorfileQ: directive('monitorfile', true), monitorfile: directive('monitorfile'),
  cleanstop: directive('cleanstop'), smtp: directive('smtp'), servicename: directive('servicename'),
  comment: directive('comment'), tlsverify: directive('tlsverify'),
};

const G = {
  checktimeout: directive('checktimeout'), connecttimeout: directive('connecttimeout'),
  negotiatetimeout: directive('negotiatetimeout'), checkinterval: directive('checkinterval'),
  checkcount: directive('checkcount'), failurecount: directive('failurecount'),
  fallback: perl('^fallback(6)?\\s*=\\s*(.*)'), fallbackcommand: directive('fallbackcommand'),
  autoreload: directive('autoreload'), callback: directive('callback', true),
  logfile: directive('logfile', true), execute: directive('execute'), fork: directive('fork'),
  supervised: perl('^supervised'), supervisedValue: directive('supervised'),
  supervisedBare: perl('^supervised\\s*$'), quiescent: directive('quiescent'),
  readdquiescent: directive('readdquiescent'), emailalert: directive('emailalert'),
  emailalertfreq: perl('^emailalertfreq\\s*=\\s*(\\d*)'), emailalertstatus: directive('emailalertstatus'),
  emailalertfrom: directive('emailalertfrom'), cleanstop: directive('cleanstop'),
  smtp: directive('smtp'), maintenancedir: directive('maintenancedir'), timeout: directive('timeout'),
};

const CHECKTYPE_WORD = perl('([\\w-]+)');

function fail(line: number, message: string): never {
  throw new ConfigError(line, message);
}

function yesNo(value: string, line: number, message: string): boolean {
  if (value !== 'yes' && value !== 'no') fail(line, message);
  return value === 'yes';
}

/** `$v =~ /(\d+)/ && $1 or config_error(...)`: the first digit run, which must not be 0. */
function positive(value: string, line: number, message: string): number {
  const digits = firstDigits(value);
  if (!perlTrue(digits)) fail(line, message);
  return Number(digits);
}

/** parse_emailalertstatus() */
function parseEmailAlertStatus(line: number, arg: string): EmailStatus[] {
  const items = splitCommaList(arg);
  // Perl's split drops trailing empty fields.
  while (items.length > 0 && items[items.length - 1] === '') items.pop();
  const none = items.some((i) => i === 'none');
  let status = new Set<EmailStatus>();
  for (const item of items) {
    if (item === 'none') continue;
    if (item === 'all') status = new Set(EMAIL_STATUSES);
    else if ((EMAIL_STATUSES as readonly string[]).includes(item)) status.add(item as EmailStatus);
    else fail(line, `invalid email alert status at: "${item}"`);
    if (none) fail(line, `invalid email alert status: "${item}" specified with "none"`);
  }
  return EMAIL_STATUSES.filter((s) => status.has(s));
}

/** read_emailalert() */
function readEmailAlert(line: number, value: string): string {
  const addr = value.replace(/^"([^"]*)"$/s, '$1');
  if (addr === '') fail(line, 'no email address specified');
  return addr;
}

interface UnresolvedFallback { server: string; port?: string; forward: Forward }

/** parse_fallback() */
function parseFallback(line: number, value: string, virtualPort: string | undefined): UnresolvedFallback {
  let parse = value;
  let fwd: string | undefined;
  const split = RE.fbSplit.exec(parse);
  if (split) {
    fwd = split[3];
    parse = split[1]!;
  }
  const portMatch = RE.fbPort.exec(parse)!;
  let port: string | undefined = portMatch[2];
  const server = parse.slice(0, portMatch.index);
  if (port === undefined && virtualPort !== undefined) port = virtualPort;
  if (fwd) {
    if (!(FORWARDS as readonly string[]).includes(fwd)) fail(line, 'forward method must be gate, masq or ipip');
  } else {
    fwd = 'gate';
  }
  return { server, port, forward: fwd as Forward };
}

export class ConfigParser {
  private readonly warnings: Array<{ line?: number; message: string }> = [];
  private readonly global: RawGlobal = {
    checkinterval: 10, checkcount: 1, failurecount: 1, autoreload: false,
    logfile: '/var/log/ldirectord.log', execute: [], fork: false, supervised: false,
    quiescent: false, readdquiescent: false, emailalertfreq: 0,
    emailalertstatus: [...EMAIL_STATUSES], cleanstop: true,
  };
  private readonly virtuals: RawVirtual[] = [];

  constructor(private readonly opts: ParseOptions) {}

  /** ld_getservbyname() */
  private service(name: string, protocol: string): number | undefined {
    if (/^[0-9]+$/.test(name)) {
      const n = Number(name);
      return n >= 0 && n < 65536 ? n : undefined;
    }
    return this.opts.resolver.lookupService(name, protocol);
  }

  /** ld_gethostbyname(): brackets stripped, numeric result. */
  private host(name: string, family: Family): Promise<string | undefined> {
    return this.opts.resolver.lookupHost(insideBrackets(name) ?? name, family);
  }

  async parse(text: string): Promise<ParseResult> {
    try {
      return await this.parseLines(text);
    } catch (err) {
      if (err instanceof ConfigError) err.global = { logfile: this.global.logfile, supervised: this.global.supervised };
      throw err;
    }
  }

  private async parseLines(text: string): Promise<ParseResult> {
    // Perl reads "\n"-terminated records; a final record may lack its newline.
    const lines = text.split('\n');
    const lastHasNewline = text.endsWith('\n');
    if (lastHasNewline) lines.pop();
    const withNewline = (i: number) => lines[i]! + (i < lines.length - 1 || lastHasNewline ? '\n' : '');

    const seen = new Set<string>();
    let next = 0; // index of the next line to read
    let lineNo = 0; // ldirectord's $line: the number of the last line read
    while (next < lines.length) {
      lineNo = next + 1;
      this.checkLength(lines[next]!, lineNo);
      let current: number | undefined = next++;
      // ldirectord re-examines the line that ended a virtual block ("goto outer_loop").
      for (;;) {
        const linedata = lines[current]!;
        const vm = RE.virtual.exec(linedata);
        if (vm) {
          const ended = await this.readVirtual(vm, lineNo, lines, withNewline, () => next, (n) => { next = n; }, seen);
          lineNo = ended.lineNo;
          current = ended.endedAt;
          if (current === undefined) return this.finish();
          continue;
        }
        if (RE.blank.test(linedata) || RE.comment.test(linedata)) break;
        await this.globalDirective(linedata, lineNo, withNewline(current));
        break;
      }
    }
    return this.finish();
  }

  /** tslvs: a line over the limit is an error of its own, in reading order. */
  private checkLength(line: string, lineNo: number): void {
    const max = this.opts.maxLineLength ?? MAX_LINE_LENGTH;
    if (line.length > max) fail(lineNo, `line too long: ${line.length} bytes, at most ${max}`);
  }

  private finish(): ParseResult {
    if (!this.global.fork) {
      for (const v of this.virtuals) {
        if (v.checkinterval !== undefined) {
          this.warnings.push({ message: `checkinterval in virtual service ${virtualIdOf(v)} ignored when fork=no` });
        }
      }
    }
    return { global: this.global, virtuals: this.virtuals, warnings: this.warnings };
  }

  private async readVirtual(
    vm: RegExpExecArray, headerLine: number, lines: string[], withNewline: (i: number) => string,
    getNext: () => number, setNext: (n: number) => void, seen: Set<string>,
  ): Promise<{ lineNo: number; endedAt: number | undefined }> {
    const family: Family = vm[1] !== undefined ? 6 : 4;
    const vattr = vm[2]!;
    let ipPort: { host: string; port: string } | undefined;
    let fwm: string | undefined;
    let m: RegExpExecArray | null;
    if (family === 4 && (m = RE.vV4.exec(vattr))) ipPort = { host: m[1]!, port: m[2]! };
    else if ((m = RE.vHost.exec(vattr))) ipPort = { host: m[1]!, port: m[2]! };
    else if ((m = RE.vFwm.exec(vattr))) fwm = m[1]!;
    else if ((m = RE.vV6.exec(vattr)) && family === 4) {
      fail(headerLine, 'cannot specify an IPv6 address here. please use "virtual6" instead.');
    } else if (m && family === 6) {
      if (!isIPv6Literal(m[1]!)) fail(headerLine, 'invalid ipv6 address for virtual server');
      ipPort = { host: m[1]!, port: m[2]! };
    } else {
      fail(headerLine, 'invalid address for virtual server');
    }

    const v: RawVirtual = {
      line: headerLine, family,
      protocol: ipPort ? (/:(53|domain)$/.test(`${ipPort.host}:${ipPort.port}`) ? 'udp' : 'tcp') : 'fwm',
      port: 0, checktype: 'negotiate', scheduler: 'wrr', checkcommand: '/bin/true', request: '/',
      receive: '', login: '', passwd: '', database: '', secret: '', ops: false, httpmethod: 'GET', reals: [],
    };
    if (fwm !== undefined) {
      v.fwmark = Number(fwm);
      v.service = 'none';
    }
    // The port as written ("http" or "80"): fallbacks without a port inherit it unresolved.
    const virtualPortText = ipPort ? ipPort.port : '0';
    this.virtuals.push(v);

    let fallbackLine = 0;
    let fallbackRaw: UnresolvedFallback | undefined;
    const pendingReals: Array<{ spec: string; line: number }> = [];
    let lineNo = headerLine;
    let endedAt: number | undefined;

    while (getNext() < lines.length) {
      const index = getNext();
      setNext(index + 1);
      lineNo = index + 1;
      const raw = lines[index]!;
      this.checkLength(raw, lineNo);
      endedAt = index;
      if (RE.comment.test(raw)) continue;
      const stripped = raw.replace(/#.*/s, '').replace(/\t/g, '    ');
      const im = RE.indented.exec(stripped);
      if (!im) break;
      endedAt = undefined;
      const rcmd = im[1]!;
      const line = lineNo;

      if ((m = RE.real.exec(rcmd))) {
        const six = m[2] !== undefined;
        if ((family === 4 && six) || (family === 6 && !six)) {
          fail(line, `cannot specify "${m[1]}" here.  please use "real${family === 4 ? '' : '6'}" instead`);
        }
        pendingReals.push({ spec: m[3]!, line });
      } else if ((m = V.request.exec(rcmd))) {
        if (m[1] === '') fail(line, 'no request string specified');
        v.request = m[1]!.startsWith('/') ? m[1]! : `/${m[1]}`;
      } else if ((m = V.receive.exec(rcmd))) {
        if (m[1] === '') fail(line, 'invalid receive string');
        v.receive = m[1]!;
      } else if ((m = V.checktype.exec(rcmd))) {
        const digits = firstDigits(m[1]!);
        const word = CHECKTYPE_WORD.exec(m[1]!)?.[1];
        if (digits !== undefined) {
          v.combinedConnects = Number(digits);
          v.checktype = 'combined';
        } else if (word !== undefined && (CHECKTYPES as readonly string[]).includes(word)) {
          v.checktype = word as CheckType;
        } else {
          fail(line, 'checktype must be "connect", "negotiate", "on", "off", "ping", "external", "external-perl" or a positive number');
        }
      } else if ((m = V.checkcommandQ.exec(rcmd) ?? V.checkcommand.exec(rcmd))) {
        if (m[1] === '') fail(line, 'invalid check command');
        v.checkcommand = m[1]!;
      } else if ((m = V.checktimeout.exec(rcmd))) {
        v.checktimeout = positive(m[1]!, line, 'invalid check timeout');
      } else if (V.connecttimeout.test(rcmd)) {
        fail(line, 'connecttimeout directive deprecated in favour of negotiatetimeout');
      } else if ((m = V.negotiatetimeout.exec(rcmd))) {
        v.negotiatetimeout = positive(m[1]!, line, 'invalid negotiate timeout');
      } else if ((m = V.checkcount.exec(rcmd))) {
        v.checkcount = positive(m[1]!, line, 'invalid check count');
        this.warnings.push({ line, message: "checkcount option is deprecated and slated for removal.  please see 'failurecount'" });
      } else if ((m = V.failurecount.exec(rcmd))) {
        v.failurecount = positive(m[1]!, line, 'invalid failure count');
      } else if ((m = V.checkinterval.exec(rcmd))) {
        v.checkinterval = positive(m[1]!, line, 'invalid checkinterval');
      } else if ((m = V.checkport.exec(rcmd))) {
        const digits = firstDigits(m[1]!);
        if (digits === undefined) fail(line, 'invalid port');
        const port = Number(digits);
        if (!(port > 0 && port < 65536)) fail(line, 'checkport must be in range 1..65536');
        v.checkport = port;
      } else if ((m = V.login.exec(rcmd))) {
        if (m[1] === '') fail(line, 'invalid login string');
        v.login = m[1]!;
      } else if ((m = V.passwd.exec(rcmd))) {
        if (m[1] === '') fail(line, 'invalid password');
        v.passwd = m[1]!;
      } else if ((m = V.database.exec(rcmd))) {
        if (m[1] === '') fail(line, 'invalid database');
        v.database = m[1]!;
      } else if ((m = V.secret.exec(rcmd))) {
        if (m[1] === '') fail(line, 'invalid secret');
        v.secret = m[1]!;
      } else if ((m = V.load.exec(rcmd))) {
        const word = /(\w+)/.exec(m[1]!)?.[1];
        if (word === undefined) fail(line, 'invalid string for load testing');
        v.load = word;
      } else if ((m = V.scheduler.exec(rcmd))) {
        const sched = /([a-z]+)/.exec(m[1]!)?.[1];
        if (sched === undefined) fail(line, 'invalid scheduler, should be only lowercase letters (a-z)');
        v.scheduler = sched;
      } else if ((m = V.persistent.exec(rcmd))) {
        const digits = firstDigits(m[1]!);
        if (digits === undefined) fail(line, 'invalid persistent timeout');
        v.persistent = Number(digits);
      } else if ((m = V.schedflags.exec(rcmd))) {
        const flags = perl('(\\S+)').exec(m[1]!)?.[1];
        if (flags === undefined) fail(line, 'invalid sched-flags');
        v.schedflags = flags;
      } else if ((m = V.netmask.exec(rcmd))) {
        const val = m[1]!;
        if (family === 6) {
          if (!/^\d+$/.test(val) || Number(val) < 1 || Number(val) > 128) {
            fail(line, 'invalid netmask: a prefix length between 1 and 128 is required');
          }
        } else if (!/^\d+\.\d+\.\d+\.\d+$/.test(val)) {
          fail(line, 'invalid netmask: dotted quad notation is required');
        }
        v.netmask = val;
      } else if ((m = V.protocol.exec(rcmd))) {
        const word = /(\w+)/.exec(m[1]!)?.[1];
        if (word === undefined) fail(line, 'invalid protocol');
        if (v.protocol === 'fwm') {
          if (word !== 'fwm') fail(line, 'protocol must be fwm if the virtual service is a fwmark (a number)');
        } else if (word === 'tcp' || word === 'udp') {
          v.protocol = word;
        } else {
          fail(line, 'protocol must be tcp or udp if the virtual service is an address and port');
        }
      } else if ((m = V.ops.exec(rcmd))) {
        v.ops = yesNo(m[1]!, line, "ops must be 'yes' or 'no'");
      } else if ((m = V.service.exec(rcmd))) {
        const word = /(\w+)/.exec(m[1]!)?.[1];
        if (word === undefined || !(SERVICE_NAMES as readonly string[]).includes(word)) fail(line, SERVICE_ERROR);
        v.service = word as ServiceName;
        // Defaults apply only when the service line is read and nothing was set before it.
        if (v.service === 'ftp' && v.login === '') v.login = 'anonymous';
        else if (v.service === 'sip' && v.login === '') v.login = `ldirectord@${this.opts.resolver.hostname()}`;
        if (v.service === 'ftp' && v.passwd === '') v.passwd = `ldirectord@${this.opts.resolver.hostname()}`;
      } else if ((m = V.httpmethod.exec(rcmd))) {
        const word = /(\w+)/.exec(m[1]!)?.[1]?.toUpperCase();
        if (word !== 'GET' && word !== 'HEAD') fail(line, 'httpmethod must be GET or HEAD');
        v.httpmethod = word;
      } else if ((m = V.virtualhost.exec(rcmd))) {
        v.virtualhost = /"?([^"]*)"?/s.exec(m[1]!)![1]!;
      } else if ((m = V.fallback.exec(rcmd))) {
        const six = m[2] !== undefined;
        if ((family === 4 && six) || (family === 6 && !six)) {
          fail(line, `cannot specify "${m[1]}" here.  please use "fallback${family === 4 ? '' : '6'}" instead`);
        }
        fallbackLine = line;
        fallbackRaw = parseFallback(line, m[3]!, virtualPortText);
      } else if ((m = V.fallbackcommandQ.exec(rcmd) ?? V.fallbackcommand.exec(rcmd))) {
        if (m[1] === '') fail(line, 'invalid fallback command');
        v.fallbackcommand = m[1]!;
      } else if ((m = V.quiescent.exec(rcmd))) {
        v.quiescent = yesNo(m[1]!, line, "quiescent must be 'yes' or 'no'");
      } else if ((m = V.emailalert.exec(rcmd))) {
        v.emailalert = readEmailAlert(line, m[1]!);
      } else if ((m = V.emailalertfreq.exec(rcmd))) {
        const digits = firstDigits(m[1]!);
        if (digits === undefined) fail(line, 'invalid email alert frequency');
        v.emailalertfreq = Number(digits);
      } else if ((m = V.emailalertstatus.exec(rcmd))) {
        v.emailalertstatus = parseEmailAlertStatus(line, m[1]!);
      } else if ((m = V.monitorfileQ.exec(rcmd) ?? V.monitorfile.exec(rcmd))) {
        const err = this.opts.probe.appendError(m[1]!);
        if (err !== null) fail(line, `unable to open monitorfile ${m[1]}: ${err}`);
        v.monitorfile = m[1]!;
      } else if ((m = V.cleanstop.exec(rcmd))) {
        v.cleanstop = yesNo(m[1]!, line, "cleanstop must be 'yes' or 'no'");
      } else if ((m = V.smtp.exec(rcmd))) {
        const addr = smtpAddress(m[1]!);
        if (addr === undefined) fail(line, 'invalid SMTP server address');
        v.smtp = addr;
      } else if ((m = V.servicename.exec(rcmd))) {
        v.servicename = m[1]!;
      } else if ((m = V.comment.exec(rcmd))) {
        v.comment = m[1]!;
      } else if ((m = V.tlsverify.exec(rcmd))) {
        // tslvs extension: certificate policy for TLS checks (ldirectord has no switch).
        const word = /(\w+)/.exec(m[1]!)?.[1];
        if (word !== 'chain' && word !== 'full' && word !== 'none') fail(line, 'tlsverify must be chain, full or none');
        v.tlsVerify = word;
      } else {
        fail(line, `Unknown command "${withNewline(index)}"`);
      }
    }

    // Resolution waits for the whole block: the protocol decides how port names resolve.
    if (fallbackRaw) v.fallback = await this.resolveFallback(fallbackLine, v.protocol, fallbackRaw, family);
    await this.resolveVirtual(headerLine, v, ipPort);
    for (const real of pendingReals) await this.resolveReal(v, real.spec, real.line, family);

    const id = virtualIdOf(v);
    if (seen.has(id)) fail(lineNo, 'duplicate virtual server');
    seen.add(id);
    return { lineNo, endedAt };
  }

  /** _ld_read_config_fallback_resolve() */
  private async resolveFallback(line: number, protocol: string, fb: UnresolvedFallback, family: Family): Promise<Fallback> {
    const address = await this.host(fb.server, family);
    if (address === undefined) {
      fail(line, `invalid IPv${family} address or could not resolve for fallback server: ${fb.server}`);
    }
    let port = 0;
    if (fb.port !== undefined && fb.port !== '' && fb.port !== '0') {
      const p = this.service(fb.port, protocol);
      if (!p) fail(line, 'invalid port for fallback server');
      port = p;
    }
    return { address, family, port, forward: fb.forward, line };
  }

  /** _ld_read_config_virtual_resolve() via ld_gethostservbyname() */
  private async resolveVirtual(line: number, v: RawVirtual, ipPort: { host: string; port: string } | undefined): Promise<void> {
    if (!ipPort) return;
    // Brackets exactly where the config had them: only vV6's literal holds a ':'.
    const text = hostPort(ipPort.host, ipPort.port);
    const pm = RE.hostServPort.exec(text)!;
    const address = await this.host(text.slice(0, pm.index), v.family);
    const port = pm[2] === undefined ? undefined : this.service(pm[2], v.protocol);
    if (address === undefined || (pm[2] !== undefined && port === undefined)) {
      fail(line, 'invalid address for virtual service');
    }
    v.address = address;
    v.port = port ?? 0;
    v.service ??= portToService(v.port);
  }

  /** _ld_read_config_real_resolve() */
  private async resolveReal(v: RawVirtual, spec: string, line: number, family: Family): Promise<void> {
    const m = execAt(RE.realSpec, spec, realSpecStarts(spec, RE.realHostChar, RE.realBracketChar));
    if (!m) fail(line, 'invalid address for real server (wrong format)');
    const [ip1, ip2, portText = '0', flags = ''] = [m[1]!, m[3], m[5], m[6]];
    const first = await this.host(ip1, family);
    if (first === undefined) fail(line, `invalid address (${ip1}) for real server (could not resolve host)`);
    const port = this.service(portText, '');
    if (port === undefined) fail(line, `invalid port (${portText}) for real server (could not resolve port)`);
    if (ip2 === undefined) {
      v.reals.push(parseRealFlags(line, first, family, port, flags));
      return;
    }
    const last = await this.host(ip2, family);
    if (last === undefined) fail(line, `invalid address (${ip2}) for real server (could not resolve end host)`);
    if (family === 6) fail(line, 'Address range for IPv6 is not supported yet');
    const a = ipToInt(first);
    const b = ipToInt(last);
    if (a < 0) fail(line, `Invalid IP address: ${first}`);
    if (b < 0) fail(line, `Invalid IP address: ${last}`);
    if (a > b) fail(line, `Invalid Range: ${first}-${last}: First value must be greater than or equal to the second value`);
    // tslvs: ldirectord compares the integers as strings (Perl `le`), so a range that crosses a
    // power of ten yields no servers; and it would try to expand any size. We count properly
    // and refuse absurd sizes.
    const max = this.opts.maxRangeSize ?? 65536;
    if (b - a + 1 > max) fail(line, `Invalid Range: ${first}-${last}: more than ${max} addresses`);
    for (let i = a; i <= b; i++) v.reals.push(parseRealFlags(line, intToIp(i), family, port, flags));
  }

  private async globalDirective(linedata: string, line: number, rawLine: string): Promise<void> {
    const gl = this.global;
    let m: RegExpExecArray | null;
    if ((m = G.checktimeout.exec(linedata))) {
      gl.checktimeout = positive(m[1]!, line, 'invalid check timeout value');
    } else if (G.connecttimeout.test(linedata)) {
      fail(line, 'connecttimeout directive deprecated in favour of negotiatetimeout');
    } else if ((m = G.negotiatetimeout.exec(linedata))) {
      gl.negotiatetimeout = positive(m[1]!, line, 'invalid negotiate timeout value');
    } else if ((m = G.checkinterval.exec(linedata))) {
      gl.checkinterval = positive(m[1]!, line, 'invalid check interval value');
    } else if ((m = G.checkcount.exec(linedata))) {
      gl.checkcount = positive(m[1]!, line, 'invalid check count value');
      this.warnings.push({ line, message: "checkcount option is deprecated and slated for removal.  please see 'failurecount'" });
    } else if ((m = G.failurecount.exec(linedata))) {
      gl.failurecount = positive(m[1]!, line, 'invalid failure count value');
    } else if ((m = G.fallback.exec(linedata))) {
      const family: Family = m[1] !== undefined ? 6 : 4;
      const parsed = parseFallback(line, m[2]!, undefined);
      const tcp = await this.resolveFallback(line, 'tcp', parsed, family);
      const udp = await this.resolveFallback(line, 'udp', parsed, family);
      if (family === 4) gl.fallback = { tcp, udp };
      else gl.fallback6 = { tcp, udp };
    } else if ((m = G.fallbackcommand.exec(linedata))) {
      if (m[1] === '') fail(line, 'invalid fallback command');
      gl.fallbackcommand = m[1]!;
    } else if ((m = G.autoreload.exec(linedata))) {
      gl.autoreload = yesNo(m[1]!, line, "autoreload must be 'yes' or 'no'");
    } else if ((m = G.callback.exec(linedata))) {
      gl.callback = m[1]!;
    } else if ((m = G.logfile.exec(linedata))) {
      // ld_openlog(): skipped under -d or once supervised=yes was read; a path must open for append.
      if (!this.opts.debug && !gl.supervised && m[1]!.startsWith('/') && this.opts.probe.appendError(m[1]!) !== null) {
        fail(line, `unable to open logfile: ${m[1]}`);
      }
      gl.logfile = m[1]!;
    } else if ((m = G.execute.exec(linedata))) {
      if (!gl.execute.includes(m[1]!)) gl.execute.push(m[1]!);
    } else if ((m = G.fork.exec(linedata))) {
      gl.fork = yesNo(m[1]!, line, "fork must be 'yes' or 'no'");
    } else if (G.supervised.test(linedata)) {
      const value = G.supervisedValue.exec(linedata)?.[1];
      if (value === 'yes' || value === 'no') {
        gl.supervised = value === 'yes';
      } else if (G.supervisedBare.test(linedata)) {
        gl.supervised = true;
        this.warnings.push({ line, message: 'please update your config not to use a bare supervised directive' });
      } else {
        fail(line, "supervised must be 'yes' or 'no'");
      }
    } else if ((m = G.quiescent.exec(linedata))) {
      gl.quiescent = yesNo(m[1]!, line, "quiescent must be 'yes' or 'no'");
    } else if ((m = G.readdquiescent.exec(linedata))) {
      gl.readdquiescent = yesNo(m[1]!, line, "readdquiescent must be 'yes' or 'no'");
    } else if ((m = G.emailalert.exec(linedata))) {
      gl.emailalert = readEmailAlert(line, m[1]!);
    } else if ((m = G.emailalertfreq.exec(linedata))) {
      const digits = firstDigits(m[1]!);
      if (digits === undefined) fail(line, 'invalid email alert frequency');
      gl.emailalertfreq = Number(digits);
    } else if ((m = G.emailalertstatus.exec(linedata))) {
      gl.emailalertstatus = parseEmailAlertStatus(line, m[1]!);
    } else if ((m = G.emailalertfrom.exec(linedata))) {
      if (m[1] === '') fail(line, 'no email from address specified');
      gl.emailalertfrom = m[1]!;
    } else if ((m = G.cleanstop.exec(linedata))) {
      gl.cleanstop = yesNo(m[1]!, line, "cleanstop must be 'yes' or 'no'");
    } else if ((m = G.smtp.exec(linedata))) {
      const addr = smtpAddress(m[1]!);
      if (addr === undefined) fail(line, 'invalid SMTP server address');
      gl.smtp = addr;
    } else if ((m = G.maintenancedir.exec(linedata))) {
      if (m[1] === '') fail(line, 'maintenance directory not specified');
      gl.maintenancedir = m[1]!;
      if (!this.opts.probe.isDirectory(m[1]!)) this.warnings.push({ line, message: 'maintenance directory does not exist' });
    } else if (G.timeout.test(linedata)) {
      fail(line, 'timeout directive deprecated in favour of checktimeout and negotiatetimeout');
    } else {
      fail(line, `Unknown command ${rawLine} `);
    }
  }
}

const THRESHOLD_WORD = /^<?([lu]):(\d+)>?$/s;
// Global, read on from lastIndex: copying the rest of the line at each flag would be quadratic.
const THRESHOLD_FLAG = perl('(?<!\\s)\\s+"?<?([lu]):(\\d+)>?"?', 'g');

/** add_real_server(): "gate|masq|ipip [weight] ["request", "receive"] [l:N] [u:N]". */
function parseRealFlags(line: number, address: string, family: Family, port: number, text: string): RawReal {
  let flags = text;
  const fm = RE.fwdWord.exec(flags);
  if (!fm || !(FORWARDS as readonly string[]).includes(fm[1]!)) fail(line, 'forward method must be gate, masq or ipip');
  const real: RawReal = {
    address, family, port, forward: fm[1] as Forward, weight: 1, lowerThreshold: 0, upperThreshold: 0, line,
  };
  flags = fm[2]!;
  let m: RegExpExecArray | null;
  if ((m = RE.weight.exec(flags))) {
    real.weight = Number(m[1]);
    flags = m[2]!;
  }
  let lower: number | undefined;
  let upper: number | undefined;
  const setThreshold = (kind: string, value: string) => {
    if (kind === 'l') lower = Number(value);
    else upper = Number(value);
  };
  if ((m = execAt(RE.pair, flags, firstBlankRunBeforeQuote(flags)))) {
    const a = THRESHOLD_WORD.exec(m[1]!);
    const b = THRESHOLD_WORD.exec(m[2]!);
    if (a && b && a[1] !== b[1]) {
      // tslvs: the man page's "<l:N>" "<u:N>" form means thresholds; ldirectord takes it for a
      // request/receive pair.
      setThreshold(a[1]!, a[2]!);
      setThreshold(b[1]!, b[2]!);
    } else {
      real.request = m[1]!.startsWith('/') ? m[1]! : `/${m[1]}`;
      real.receive = m[2]!;
    }
    flags = m[3]!;
  }
  // tslvs: l:N and u:N in either order, bare or quoted (ldirectord silently drops u:N when it
  // comes first and rejects the quoted form).
  let end = 0;
  THRESHOLD_FLAG.lastIndex = 0;
  while ((m = THRESHOLD_FLAG.exec(flags))) {
    setThreshold(m[1]!, m[2]!);
    end = THRESHOLD_FLAG.lastIndex;
  }
  flags = flags.slice(end);
  if (RE.nonSpace.test(flags)) fail(line, `Invalid real server line, around "${flags}"`);
  if (lower !== undefined || upper !== undefined) {
    real.lowerThreshold = lower ?? 0;
    real.upperThreshold = upper ?? 0;
    // The kernel refuses a lower threshold above the upper one (0 = no upper limit counts as 0);
    // ldirectord logs such a real as added anyway. tslvs refuses it here.
    if (real.lowerThreshold > real.upperThreshold) {
      fail(line, `Invalid real server thresholds: lower threshold l:${real.lowerThreshold} `
        + `needs an upper threshold u:N with N >= ${real.lowerThreshold}`);
    }
  }
  return real;
}
