// The scenarios of the daemon differential test (docs/DAEMON-DIFF.md). Config templates:
// {a} = real server a as IP:PORT, {a.ip}, {a.port}; {V1} = 127.78.N.1:80. The header
// (checkinterval=1, checktimeout=1, negotiatetimeout=1, autoreload=no, logfile) is prepended.
// Every step that changes something waits for the table to show it and for both directors to
// go quiet; one thing changes at a time, so the order of lines within a round is determined.
import { NS_FALLBACK_CMD, NS_MAINT } from '../support/director.js';
import type { Scenario } from './runner.js';

const HTTP = `	service=http
	request="/check"
	receive="ok"
	scheduler=wrr
`;

export const SCENARIOS: Scenario[] = [
  {
    id: 'basic',
    title: 'basic up/down (refused, 503, hang)',
    reals: { a: 'up', b: 'refused' },
    config: () => `virtual={V1}
	real={a} masq 2
	real={b} masq 3
${HTTP}`,
    steps: [
      { do: 'start', until: (t) => t.w('V1', 'a') === 2 && t.w('V1', 'b') === undefined },
      { do: 'set', real: 'b', mode: 'up', until: (t) => t.w('V1', 'b') === 3 },
      { do: 'set', real: 'a', mode: 'error', until: (t) => t.w('V1', 'a') === undefined },
      { do: 'set', real: 'a', mode: 'up', until: (t) => t.w('V1', 'a') === 2 },
      { do: 'set', real: 'b', mode: 'hang', until: (t) => t.w('V1', 'b') === undefined },
      { do: 'stop' },
    ],
    rules: ['start-dance', 'start-dance-reset'],
    mustSee: () => [
      'Added virtual server: {V1}',
      'Added real server: {a} ({V1}) (Weight set to 2)',
      'Added real server: {b} ({V1}) (Weight set to 3)',
      'Deleted real server: {a} ({V1})',
      'Deleted real server: {b} ({V1})',
      'Resetting soft failure count: {a} (tcp:{V1})',
      'Purged real server (stop): {a} ({V1})',
      'Purged virtual server (stop): {V1}',
      'Linux Director Daemon terminated on signal: TERM',
    ],
  },
  {
    id: 'quiescent',
    title: 'quiescent=yes: weight 0 instead of delete, restore',
    reals: { a: 'up', b: 'up', c: 'refused' },
    config: () => `quiescent=yes
cleanstop=no
virtual={V1}
	real={a} masq 2
	real={b} masq 1
	real={c} masq 4
${HTTP}`,
    steps: [
      { do: 'start', until: (t) => t.w('V1', 'a') === 2 && t.w('V1', 'b') === 1 },
      { do: 'set', real: 'b', mode: 'wrong', until: (t) => t.w('V1', 'b') === 0 },
      { do: 'set', real: 'b', mode: 'up', until: (t) => t.w('V1', 'b') === 1 },
      { do: 'set', real: 'a', mode: 'refused', until: (t) => t.w('V1', 'a') === 0 },
      { do: 'stop' },
    ],
    rules: ['start-dance', 'start-dance-reset', 'start-dance-quiescent'],
    mustSee: () => [
      'Quiescent real server: {b} ({V1}) (Weight set to 0)',
      'Restored real server: {b} ({V1}) (Weight set to 1)',
      'Quiescent real server: {a} ({V1}) (Weight set to 0)',
      'Added real server: {a} ({V1}) (Weight set to 2)',
    ],
  },
  {
    id: 'readdquiescent',
    title: 'quiescent=yes + readdquiescent=yes',
    reals: { a: 'up', b: 'refused' },
    config: () => `quiescent=yes
readdquiescent=yes
cleanstop=no
virtual={V1}
	real={a} masq 2
	real={b} masq 3
${HTTP}`,
    steps: [
      { do: 'start', until: (t) => t.w('V1', 'a') === 2 && t.w('V1', 'b') === 0 },
      { do: 'set', real: 'b', mode: 'up', until: (t) => t.w('V1', 'b') === 3 },
      { do: 'set', real: 'b', mode: 'refused', until: (t) => t.w('V1', 'b') === 0 },
      { do: 'stop' },
    ],
    rules: ['start-dance-reset'],
    mustSee: () => [
      'Readd Quiescent real server: {a} ({V1}) (Weight set to 0)',
      'Readd Quiescent real server: {b} ({V1}) (Weight set to 0)',
      'Restored real server: {a} ({V1}) (Weight set to 2)',
      'Restored real server: {b} ({V1}) (Weight set to 3)',
      'Quiescent real server: {b} ({V1}) (Weight set to 0)',
    ],
  },
  {
    id: 'fallback',
    title: 'fallback server + fallbackcommand',
    reals: { a: 'up', b: 'up' },
    config: () => `fallbackcommand=${NS_FALLBACK_CMD}
virtual={V1}
	real={a} masq 1
	real={b} masq 1
	fallback=127.0.0.9:80 masq
${HTTP}`,
    steps: [
      { do: 'start', until: (t) => t.w('V1', 'a') === 1 && t.w('V1', 'b') === 1 && t.w('V1', '127.0.0.9:80') === undefined },
      { do: 'set', real: 'a', mode: 'refused', until: (t) => t.w('V1', 'a') === undefined },
      { do: 'set', real: 'b', mode: 'error', until: (t) => t.w('V1', 'b') === undefined && t.w('V1', '127.0.0.9:80') === 1 },
      { do: 'set', real: 'a', mode: 'up', until: (t) => t.w('V1', 'a') === 1 && t.w('V1', '127.0.0.9:80') === undefined },
      { do: 'set', real: 'b', mode: 'up', until: (t) => t.w('V1', 'b') === 1 },
      { do: 'stop' },
    ],
    rules: ['start-dance', 'start-dance-reset', 'fallback-order', 'start-fallback'],
    mustSee: () => [
      'Added fallback server: 127.0.0.9:80 ({V1}) (Weight set to 1)',
      'Deleted fallback server: 127.0.0.9:80 ({V1})',
    ],
  },
  {
    id: 'failurecount',
    title: 'failurecount=3: soft failures, reset',
    reals: { a: 'up', b: 'up' },
    config: () => `virtual={V1}
	real={a} masq 1
	real={b} masq 2
	failurecount=3
${HTTP}`,
    steps: [
      { do: 'start', until: (t) => t.w('V1', 'a') === 1 && t.w('V1', 'b') === 2 },
      { do: 'set', real: 'b', mode: 'refused', until: (t) => t.w('V1', 'b') === undefined },
      { do: 'set', real: 'b', mode: 'up', until: (t) => t.w('V1', 'b') === 2 },
      { do: 'set', real: 'a', mode: 'wrong', until: (t) => t.w('V1', 'a') === undefined },
      { do: 'stop' },
    ],
    rules: ['start-dance', 'start-dance-reset'],
    mustSee: () => [
      'Soft failure real server: {b} (tcp:{V1}) failure 1/3',
      'Soft failure real server: {b} (tcp:{V1}) failure 2/3',
      'Deleted real server: {b} ({V1})',
      'Resetting soft failure count: {b} (tcp:{V1})',
      'Soft failure real server: {a} (tcp:{V1}) failure 2/3',
    ],
  },
  {
    id: 'maintenance',
    title: 'maintenancedir: IP:PORT and IP files',
    reals: { a: 'up', b: 'up' },
    config: () => `maintenancedir=${NS_MAINT}
virtual={V1}
	real={a} masq 1
	real={b} masq 2
	failurecount=2
${HTTP}`,
    steps: [
      { do: 'start', until: (t) => t.w('V1', 'a') === 1 && t.w('V1', 'b') === 2 },
      { do: 'maint', file: '{a}', on: true, until: (t) => t.w('V1', 'a') === undefined },
      { do: 'maint', file: '{a}', on: false, until: (t) => t.w('V1', 'a') === 1 },
      { do: 'maint', file: '{b.ip}', on: true, until: (t) => t.w('V1', 'b') === undefined },
      { do: 'maint', file: '{b.ip}', on: false, until: (t) => t.w('V1', 'b') === 2 },
      { do: 'stop' },
    ],
    rules: ['start-dance', 'start-dance-reset'],
    mustSee: () => [
      'Deleted real server: {a} ({V1})',
      'Deleted real server: {b} ({V1})',
      'Resetting soft failure count: {a} (tcp:{V1})',
      'Resetting soft failure count: {b} (tcp:{V1})',
    ],
  },
  {
    id: 'combined',
    title: 'checktype=2 (combined connect/negotiate)',
    reals: { a: 'up', b: 'up' },
    config: () => `virtual={V1}
	real={a} masq 1
	real={b} masq 1
	checktype=2
${HTTP}`,
    steps: [
      { do: 'start', until: (t) => t.w('V1', 'a') === 1 && t.w('V1', 'b') === 1 },
      // a wrong body passes connect checks: only the negotiate check every third round catches it
      { do: 'set', real: 'a', mode: 'wrong', until: (t) => t.w('V1', 'a') === undefined },
      { do: 'set', real: 'a', mode: 'up', until: (t) => t.w('V1', 'a') === 1 },
      { do: 'set', real: 'b', mode: 'refused', until: (t) => t.w('V1', 'b') === undefined },
      { do: 'set', real: 'b', mode: 'up', until: (t) => t.w('V1', 'b') === 1 },
      { do: 'stop' },
    ],
    rules: ['start-dance', 'start-dance-reset'],
    mustSee: () => ['Deleted real server: {a} ({V1})', 'Deleted real server: {b} ({V1})', 'Resetting soft failure count: {b} (tcp:{V1})'],
  },
  {
    id: 'reload',
    title: 'reload: add and remove reals and virtuals',
    reals: { a: 'up', b: 'up', c: 'up' },
    config: () => `failurecount=2
virtual={V1}
	real={a} masq 1
	real={b} masq 2
${HTTP}
virtual={V2}
	real={c} masq 1
${HTTP}`,
    steps: [
      { do: 'start', until: (t) => t.w('V1', 'a') === 1 && t.w('V1', 'b') === 2 && t.w('V2', 'c') === 1 },
      {
        do: 'config', config: () => `failurecount=2
virtual={V1}
	real={a} masq 1
	real={c} masq 3
${HTTP}
virtual={V3}
	real={b} masq 5
${HTTP}`,
      },
      { do: 'reload', until: (t) => !t.has('V2') && t.w('V1', 'c') === 3 && t.w('V1', 'b') === undefined && t.w('V3', 'b') === 5 },
      { do: 'set', real: 'c', mode: 'refused', until: (t) => t.w('V1', 'c') === undefined },
      { do: 'stop' },
    ],
    rules: ['start-dance', 'start-dance-reset', 'changed-virtual'],
    mustSee: () => [
      'Reloading Linux Director Daemon config on signal',
      "Configuration file '/run/reload.cf' has changed on disk",
      ' - ignore new configuration',
      'Added virtual server: {V3}',
      'Purged real server (start): {b} ({V1})',
      'Purged virtual server (start): {V2}',
      'Added real server: {c} ({V1}) (Weight set to 3)',
      'Added real server: {b} ({V3}) (Weight set to 5)',
    ],
  },
  {
    id: 'cleanstop',
    title: 'cleanstop=no globally, yes on one virtual',
    reals: { a: 'up', b: 'up', c: 'up' },
    config: () => `cleanstop=no
virtual={V1}
	real={a} masq 1
	real={b} masq 1
	cleanstop=yes
${HTTP}
virtual={V2}
	real={c} masq 1
${HTTP}`,
    steps: [
      { do: 'start', until: (t) => t.w('V1', 'a') === 1 && t.w('V1', 'b') === 1 && t.w('V2', 'c') === 1 },
      { do: 'set', real: 'b', mode: 'refused', until: (t) => t.w('V1', 'b') === undefined },
      { do: 'stop' },
    ],
    rules: ['start-dance', 'start-dance-reset'],
    mustSee: () => ['Purged real server (stop): {a} ({V1})', 'Purged virtual server (stop): {V1}'],
  },
  {
    id: 'thresholds',
    title: 'u:/l: thresholds (bare "l:N u:N" form), quiescent keeps them',
    reals: { a: 'up', b: 'up' },
    config: () => `cleanstop=no
virtual={V1}
	real={a} masq 2 l:2 u:20
	real={b} masq 3 l:1 u:10
	quiescent=yes
${HTTP}`,
    steps: [
      { do: 'start', until: (t) => t.w('V1', 'a') === 2 && t.w('V1', 'b') === 3 },
      { do: 'set', real: 'a', mode: 'refused', until: (t) => t.w('V1', 'a') === 0 },
      { do: 'set', real: 'a', mode: 'up', until: (t) => t.w('V1', 'a') === 2 },
      { do: 'set', real: 'b', mode: 'wrong', until: (t) => t.w('V1', 'b') === 0 },
      { do: 'stop' },
    ],
    rules: ['start-dance', 'start-dance-reset', 'start-dance-quiescent', 'quiescent-thresholds'],
    mustSee: () => [
      'Quiescent real server: {a} ({V1}) (Weight set to 0)',
      'Restored real server: {a} ({V1}) (Weight set to 2)',
      'Quiescent real server: {b} ({V1}) (Weight set to 0)',
    ],
  },
  {
    id: 'fwmark',
    title: 'fwmark virtual with its own fallback',
    reals: { a: 'up', b: 'up' },
    config: () => `virtual=7
	real={a} masq 1
	real={b} masq 2
	fallback=127.0.0.9:80 masq
${HTTP}`,
    steps: [
      { do: 'start', until: (t) => t.w('7', 'a') === 1 && t.w('7', 'b') === 2 },
      { do: 'set', real: 'a', mode: 'refused', until: (t) => t.w('7', 'a') === undefined },
      { do: 'set', real: 'b', mode: 'refused', until: (t) => t.w('7', 'b') === undefined && t.w('7', '127.0.0.9:80') === 1 },
      { do: 'set', real: 'b', mode: 'up', until: (t) => t.w('7', 'b') === 2 && t.w('7', '127.0.0.9:80') === undefined },
      { do: 'stop' },
    ],
    rules: ['start-dance', 'start-dance-reset', 'fallback-order', 'start-fallback'],
    mustSee: () => [
      'Added virtual server: 7',
      'Deleted real server: {a} (7)',
      'Added fallback server: 127.0.0.9:80 (7) (Weight set to 1)',
      'Resetting soft failure count: {b} (fwm:7)',
      'Purged virtual server (stop): 7',
    ],
  },
  {
    // (A soft failure in progress across a reload is not a scenario: right after a reload
    // ldirectord checks twice back to back and its counts come out timing-dependent, see
    // docs/DAEMON-DIFF.md; rule reload-softfail is kept and asserted not to fire.)
    id: 'reload-fallback',
    title: 'fallbackcommand and the fallback across a reload with every real down',
    reals: { a: 'up', b: 'up' },
    config: () => `fallbackcommand=${NS_FALLBACK_CMD}
failurecount=2
virtual={V1}
	real={a} masq 1
	real={b} masq 2
	fallback=127.0.0.9:80 masq
${HTTP}`,
    steps: [
      { do: 'start', until: (t) => t.w('V1', 'a') === 1 && t.w('V1', 'b') === 2 },
      { do: 'set', real: 'b', mode: 'refused', until: (t) => t.w('V1', 'b') === undefined },
      { do: 'set', real: 'a', mode: 'refused', until: (t) => t.w('V1', 'a') === undefined && t.w('V1', '127.0.0.9:80') === 1 },
      { do: 'reload' },
      { do: 'set', real: 'a', mode: 'up', until: (t) => t.w('V1', 'a') === 1 && t.w('V1', '127.0.0.9:80') === undefined },
      { do: 'stop' },
    ],
    rules: ['start-dance', 'start-dance-reset', 'changed-virtual', 'reload-fallbackcommand', 'fallback-order', 'start-fallback'],
    commands: 3,
    mustSee: () => [
      'Soft failure real server: {b} (tcp:{V1}) failure 1/2',
      'Added fallback server: 127.0.0.9:80 ({V1}) (Weight set to 1)',
      'Reloading Linux Director Daemon config on signal',
      'Deleted fallback server: 127.0.0.9:80 ({V1})',
    ],
  },
  {
    id: 'shared',
    title: 'two virtuals sharing a real, cleanstop',
    reals: { a: 'up', b: 'up', c: 'up' },
    config: () => `virtual={V1}
	real={a} masq 1
	real={b} masq 1
${HTTP}
virtual={V2}
	real={a} masq 1
	real={c} masq 1
${HTTP}`,
    steps: [
      { do: 'start', until: (t) => t.w('V1', 'a') === 1 && t.w('V2', 'a') === 1 && t.w('V1', 'b') === 1 && t.w('V2', 'c') === 1 },
      { do: 'set', real: 'a', mode: 'refused', until: (t) => t.w('V1', 'a') === undefined && t.w('V2', 'a') === undefined },
      { do: 'set', real: 'a', mode: 'up', until: (t) => t.w('V1', 'a') === 1 && t.w('V2', 'a') === 1 },
      { do: 'stop' },
    ],
    rules: ['start-dance', 'start-dance-reset'],
    sharedLater: () => ['{V2}|{a}'],
    mustSee: () => ['Deleted real server: {a} ({V1})', 'Deleted real server: {a} ({V2})', 'Added real server: {a} ({V2}) (Weight set to 1)'],
  },
];
