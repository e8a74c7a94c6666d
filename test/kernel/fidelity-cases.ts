// Scripts that exercise ipvsadm the same way on both sides: generated tables (listed with
// -L -n, -L -n --thresholds and -S -n) and every failure case of the reference transcripts.
// The same bash text runs in the VM against the real ipvsadm and locally against the stand-in.

/** bash prelude: r = run ipvsadm with args; R = run ipvsadm -R with the heredoc as stdin. */
export const PRELUDE = String.raw`
IPVSADM=${'$'}{IPVSADM:-ipvsadm}
O=$(mktemp); E=$(mktemp)
# builtins only after each ipvsadm: under TCG every extra process costs ~80 ms
show() { local l; while IFS= read -r l || [ -n "$l" ]; do printf '%s%s\n' "$1" "$l"; done <"$2"; }
r() { echo "\$ ipvsadm $*"; "$IPVSADM" "$@" </dev/null >"$O" 2>"$E"; rc=$?; show '' "$O"; show 'stderr| ' "$E"; echo "[exit=$rc]"; }
R() { echo "\$ ipvsadm -R"; "$IPVSADM" -R >"$O" 2>"$E"; rc=$?; show '' "$O"; show 'stderr| ' "$E"; echo "[exit=$rc]"; }
section() { echo "=== $*"; }
`;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SCHEDS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh'];

/** One generated table: restore lines plus a few single commands after it (edits, deletes). */
export function generateTable(seed: number): string[] {
  const rnd = mulberry32(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)]!;
  const lines: string[] = [];
  const after: string[] = [];
  const nsvc = int(2, 7);
  const used = new Set<string>();
  for (let k = 0; k < nsvc; k++) {
    const kind = pick(['tcp', 'tcp', 'udp', 'sctp', 'tcp6', 'udp6', 'fwm', 'fwm6'] as const);
    const v6 = kind.endsWith('6');
    let sw: string;
    let port = 0;
    if (kind.startsWith('fwm')) {
      const mark = rnd() < 0.1 ? 4294967295 : int(1, 5000);
      sw = `-f ${mark}${v6 ? ' -6' : ''}`;
    } else {
      // service addresses stay inside 10/8 and 2001:db8::/32: see docs/IPVS.md on ordering
      port = pick([0, 80, 443, 53, 8080, int(1, 65535)]);
      const addr = v6 ? `[2001:db8:${int(0, 3).toString(16)}::${int(1, 0xffff).toString(16)}]` : `10.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`;
      const proto = kind === 'sctp' ? '--sctp-service' : kind.startsWith('udp') ? '-u' : '-t';
      sw = `${proto} ${addr}:${port}`;
    }
    if (used.has(sw)) continue;
    used.add(sw);
    const sched = pick(SCHEDS);
    let opts = `-s ${sched}`;
    const persistent = port === 0 && !kind.startsWith('fwm') ? true : rnd() < 0.35;
    if (persistent) {
      opts += rnd() < 0.3 ? ' -p' : ` -p ${pick([1, 60, 300, 360, 2678400, int(1, 100000)])}`;
      if (rnd() < 0.5) opts += v6 ? ` -M ${int(1, 128)}` : ` -M ${pick(['255.255.255.0', '255.255.0.0', '255.0.255.0', '0.0.0.0', '255.255.255.255'])}`;
    }
    if (rnd() < 0.2) opts += ' --pe sip';
    if ((kind.startsWith('udp') || kind.startsWith('fwm')) && rnd() < 0.3) opts += ' -o';
    if (rnd() < 0.3) {
      const special = sched === 'sh' || sched === 'mh';
      const names = special ? [`${sched}-fallback`, `${sched}-port`, 'flag-1', 'flag-2', 'flag-3'] : ['flag-1', 'flag-2', 'flag-3'];
      opts += ` -b ${names.filter(() => rnd() < 0.5).join(',') || names[0]}`;
    }
    lines.push(`-A ${sw} ${opts}`);
    const nreal = int(0, 8);
    const reals: string[] = [];
    for (let j = 0; j < nreal; j++) {
      const otherFamily = rnd() < 0.12;
      const rv6 = otherFamily ? !v6 : v6;
      // real addresses span the whole space on purpose: ipvsadm's comparator wraps around
      const raddr = rv6
        ? `[${pick(['2001:db8', 'fd00', '2a00:1450', 'fe80:0:0:1'])}::${int(1, 0xffff).toString(16)}]`
        : `${pick([int(1, 9), 10, 10, int(11, 126), 127, int(128, 223), int(240, 254)])}.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`;
      const rport = pick([80, 8080, 443, int(1, 65535)]);
      let fwd = pick(['-g', '-m', '-i', '-i', '-m']);
      if (otherFamily) fwd = '-i';
      let extra = '';
      if (fwd === '-i' && rnd() < 0.5) {
        const tt = pick(['ipip', 'gue', 'gre']);
        extra = ` --tun-type ${tt}`;
        if (tt === 'gue') extra += ` --tun-port ${int(1, 65535)}`;
        if (tt !== 'ipip' && rnd() < 0.7) extra += ` ${pick(['--tun-nocsum', '--tun-csum', '--tun-remcsum'])}`;
      }
      const w = pick([0, 1, 1, 2, 5, 100, 65535, 2147483647]);
      const u = rnd() < 0.4 ? int(0, 1000) : 0;
      const l = u > 0 && rnd() < 0.6 ? int(0, u) : 0;
      const target = `${raddr}:${rport}`;
      lines.push(`-a ${sw} -r ${target} ${fwd} -w ${w} -x ${u} -y ${l}${extra}`);
      reals.push(`${target} ${fwd}`);
    }
    // edits and deletes after the fact: the kernel keeps its own list order through them
    if (reals.length > 1 && rnd() < 0.6) {
      const [t, f] = pick(reals).split(' ');
      after.push(`r -e ${sw} -r ${t} ${f} -w ${int(0, 9)} -x 0 -y 0`);
    }
    if (reals.length > 2 && rnd() < 0.5) {
      const [t] = pick(reals).split(' ');
      after.push(`r -d ${sw} -r ${t}`);
      if (rnd() < 0.5) after.push(`r -a ${sw} -r ${t} -m -w 3`);
    }
    if (rnd() < 0.2) after.push(`r -E ${sw} -s ${pick(SCHEDS)}`);
  }
  return [`section table ${seed}`, 'r -C', 'R <<"EOF"', ...lines, 'EOF', ...after, 'r -L -n', 'r -L -n --thresholds', 'r -S -n'];
}

/** Every failure case in the reference transcripts, plus the neighbours they imply. */
export const FAILURE_CASES = String.raw`
section failures from fail.out and behaviour.out
r -C
r -A -t 10.1.1.1:80 -s wlc
r -a -t 10.1.1.1:80 -r 10.1.1.2:80 -g -w 3
r -A -t 10.1.1.1:80 -s wlc
r -A -t 10.1.1.1:80 -s rr
r -a -t 10.1.1.1:80 -r 10.1.1.2:80 -g -w 3
r -a -t 10.9.9.9:80 -r 10.1.1.2:80 -g -w 1
r -e -t 10.1.1.1:80 -r 10.1.1.99:80 -g -w 1
r -e -t 10.9.9.9:80 -r 10.1.1.2:80 -g -w 1
r -d -t 10.1.1.1:80 -r 10.1.1.99:80
r -d -t 10.9.9.9:80 -r 10.1.1.2:80
r -D -t 10.9.9.9:80
r -E -t 10.9.9.9:80 -s rr
r -A -t 10.1.1.5:80 -s bogus
r -E -t 10.1.1.1:80 -s bogus
r -A -t 10.1.1.6:80 -s twos
r -A -t 10.1.1.7 -s rr
r -A -t 10.1.1.7:99999 -s rr
r -a -t 10.1.1.1:80 -r 10.1.1.8:80 -w 70000
r -a -t 10.1.1.1:80 -r 10.1.1.8:80 -w -1
r -a -t 10.1.1.1:80 -r 10.1.1.9:80 -w 2147483648
r -a -t 10.1.1.1:80 -r 10.1.1.8:80 -x 5 -y 10
r --bogus-option
r -A -t 999.1.1.1:80
r -a -t 10.1.1.1:80 -r [2001:db8::5]:80 -m
r -a -t 10.1.1.1:80
r -A -t 10.6.6.3:80 -s rr -o
r -A -t 10.1.1.1:8003 -s rr -b bogus-flag
r -Z
r -Z -t 10.9.9.9:80
r -Ln -t 10.9.9.9:80
r -Ln
r -C
r -C
r -Ln
section restore with failing lines - restore.out opts.out behaviour.out
r -C
R <<"EOF"
-A -t 10.2.2.1:80 -s rr
-a -t 10.2.2.1:80 -r 10.2.2.2:80 -m -w 1
-a -t 10.9.9.9:80 -r 10.2.2.3:80 -m -w 1
-a -t 10.2.2.1:80 -r 10.2.2.4:80 -m -w 1
EOF
r -Ln
r -C
R <<"EOF"
-A -t 10.2.2.1:80 -s rr
-A -t 10.2.2.1:80 -s rr
-a -t 10.2.2.1:80 -r 10.2.2.4:80 -m -w 1
EOF
r -Ln
r -C
R <<"EOF"
-A -t 10.2.2.1:80 -s rr
-a -t 10.2.2.1:80 -r 10.2.2.2:80 -m -w 1
-a -t 10.2.2.1:80 -r 10.2.2.5:80 -m -w -7
-a -t 10.2.2.1:80 -r 10.2.2.4:80 -m -w 1
EOF
r -Ln
r -C
R <<"EOF"
-A -t 10.2.2.1:80 -s rr
-A -t 10.2.2.6:80 -s bogus
-A -t 10.2.2.7:80 -s rr
EOF
r -Ln
r -C
R <<"EOF"
# comment line

-A -t 10.2.2.1:80 -s rr
   -a -t 10.2.2.1:80 -r 10.2.2.2:80 -m
EOF
r -Ln
r -C
R <<"EOF"
-A -t 10.2.2.1:80 -s rr
# a comment
-A -t 10.2.2.2:80 -s rr
EOF
r -S -n
r -C
R <<"EOF"
-A -t 10.5.5.1:80 -s rr
-a -t 10.9.9.9:80 -r 10.5.5.2:80 -m
EOF
r -C
R <<"EOF"
-a -t 10.9.9.9:80 -r 10.5.5.2:80 -m
-A -t 10.5.5.3:80 -s rr
EOF
r -C
R <<"EOF"
-A -t 10.2.2.1:80 -s rr
-A -t 10.2.2.2:80 --bogus
-A -t 10.2.2.3:80 -s rr
EOF
r -S -n
r -C
R <<"EOF"
ipvsadm -A -t 10.2.2.1:80 -s rr
-A -t 10.2.2.2:80 -s rr   
	-a -t 10.2.2.2:80 -r 10.2.2.9:80 -m -w 5

-L -n
-R
-A -t 10.2.2.3:80 -s rr
EOF
r -S -n
r -C
R </dev/null
R <<"EOF"
-A -t 10.4.4.1:80 -s rr
-a -t 10.4.4.1:80 -r 10.4.4.2:80 -m -w 5
-e -t 10.4.4.1:80 -r 10.4.4.9:80 -m -w 1
-e -t 10.4.4.1:80 -r 10.4.4.2:80 -m -w 0
-d -t 10.4.4.1:80 -r 10.4.4.77:80
-a -t 10.4.4.1:80 -r 10.4.4.3:80 -m -w 2
-A -t 10.4.4.1:80 -s rr
-a -t 10.4.4.1:80 -r 10.4.4.3:80 -m -w 2
EOF
r -Ln
section edit semantics and defaults - edit.out sched.out
r -C
r -A -t 10.7.7.1:80 -s rr -p 100
r -a -t 10.7.7.1:80 -r 10.7.7.2:80 -m -w 5
r -e -t 10.7.7.1:80 -r 10.7.7.2:80 -w 7
r -Ln -t 10.7.7.1:80
r -Ln --thresholds -t 10.7.7.1:80
r -e -t 10.7.7.1:80 -r 10.7.7.2:80 -m
r -Ln -t 10.7.7.1:80
r -E -t 10.7.7.1:80
r -Ln -t 10.7.7.1:80
r -A -t 10.7.7.3:80 -s rr
r -a -t 10.7.7.3:80 -r 10.7.7.4:8080 -m
r -a -t 10.7.7.3:80 -r 10.7.7.5:8080 -g
r -Ln -t 10.7.7.3:80
r -d -t 10.7.7.3:80 -r 10.7.7.4
r -d -t 10.7.7.3:80 -r 10.7.7.5
r -Ln -t 10.7.7.3:80
r -A -t 10.6.6.2:80
r -a -t 10.6.6.2:80 -r 10.6.6.3
r -E -t 10.6.6.2:80 -s rr -p 120
r -E -t 10.6.6.2:80 -s rr
r -e -t 10.6.6.2:80 -r 10.6.6.3 -m -w 4
r -Ln -t 10.6.6.2:80
r -A -t 10.6.6.4:80 -s wrr
r -a -t 10.6.6.4:80 -r 10.6.6.5:80 -m -w 0
r -a -t 10.6.6.4:80 -r 10.6.6.6:80 -m -w 2147483647
r -a -t 10.6.6.4:80 -r 10.6.6.7:80 -m -w 2147483648
r -Ln -t 10.6.6.4:80
r -d -t 10.6.6.2:80 -r 10.6.6.3:80
r -D -t 10.6.6.2:80
r -Ln -t 10.6.6.2:80
section option checks
r -C
r -A -u 10.1.1.1:5061 -s sh -p 60 -M 255.255.255.0 --pe sip -o -b sh-fallback
r -A -t 10.1.1.1:81 -s sh -b flag-1,flag-3
r -A -t 10.1.1.1:82 -s rr -b sh-port
r -A -t 10.1.1.1:83 -s mh -b sh-fallback,flag-3
r -A -t 10.1.1.1:1 -b sh-port -s sh
r -A -t 10.1.1.1:2 -s sh -b flag-3
r -A -f 9 -s rr -o
r -A -t 10.1.1.1:84 -s rr -M 255.255.0.0
r -A -t [2001:db8::5]:85 -s rr -p 10 -M 255.255.0.0
r -A -t [2001:db8::5]:86 -s rr -p 10 -M 0
r -A -t 10.1.1.1:86 -s rr -p 0
r -A -t 10.1.1.1:87 -s rr -p 2678401
r -A -t 10.1.1.1:89 -s rr -p abc
r -A -f 0 -s rr
r -A -f abc -s rr
r -A -f 4294967296 -s rr
r -A -t 10.1.1.1:90 -6 -s rr
r -A -s rr
r -A -t 10.1.1.1:91 -r 10.1.1.2
r -A -t 10.1.1.1:92 -w 3
r -A -t 10.1.1.1:6 -s wlc -n
r -a -t 10.1.1.1:81 -r 999.1.1.1
r -a -t 10.1.1.1:81 -r 10.1.1.2 -s rr
r -a -t 10.1.1.1:81 -r 10.1.1.2 -x abc
r -a -t 10.1.1.1:81 -r 10.1.1.2 -y -1
r -a -t 10.1.1.1:81 -r 10.1.1.2 -w ''
r -a -t 10.1.1.1:81 -r 10.1.1.2:99999
r -a -t 10.1.1.1:81 -r 10.1.1.4 -y 5
r -a -t 10.1.1.1:81 -r 224.1.1.1 -m
r -a -t 10.1.1.1:81 -r 255.255.255.255 -m
r -a -t 10.1.1.1:81 -r 10.1.1.9 -i --tun-type gue
r -a -t 10.1.1.1:81 -r 10.1.1.14 -i --tun-type bogus
r -a -t 10.1.1.1:81 -r 10.1.1.15 -m --tun-type gue --tun-port 5555
r -a -t 10.1.1.1:81 -r 10.1.1.17 -m -g
r -a -t 10.1.1.1:81 -r 10.1.1.18 -w 5 -w 6
r -A -t [2001:db8::1]:80 -s rr
r -a -t [2001:db8::1]:80 -r 10.1.1.1:80 -m
r -a -t [2001:db8::1]:80 -r [fe80::1]:1 -m
r -a -t [2001:db8::1]:80 -r [ff02::1]:1 -m
r -a -t [2001:db8::1]:80 -r [::ffff:1.2.3.4]:81 -m
r -a -t [2001:db8::1]:80 -r [2001:db8::8] -m
r -A -t 10.1.1.1:99 -s rr -b
r -A -t 10.1.1.1:97 -s rr --pe bogus
r -A -t 10.1.1.1:94 -s verylongschedulername
r -A -D -t 10.1.1.1:97
r -D -t 10.1.1.1:81 extra
r -C -t 10.1.1.1:81
r -L -n -c -t 10.1.1.1:81
r -Sn -t 10.1.1.1:81
r -L -n -t 10.1.1.1:4 -t 10.1.1.1:5
r -A -t 10.1.1.1: -s rr
r -A -t :80 -s rr
r -A -t 2001:db8::1:2 -s rr
r -A -t 1.2.3.4:5 --bogus
r -X
r -Ln
r -S -n
r -h
r -v
`;
