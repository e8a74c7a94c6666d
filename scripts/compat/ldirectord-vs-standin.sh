#!/usr/bin/env bash
# Runs the real ldirectord (Debian package, unchanged) against tslvs's stand-in ipvsadm and
# checks the stand-in's table after each step: start (adds), a real going down (quiesced on a
# quiescent=yes virtual, deleted on a quiescent=no one), coming back, and stop (purges).
#
# Nothing global is touched: ldirectord runs in a private mount namespace (unshare -m) where
# the stand-in is bind-mounted over /usr/sbin/ipvsadm (/sbin is a link to /usr/sbin) and
# private directories are bind-mounted over /run and /var/log. Real servers are two small
# node HTTP servers on 127.0.0.2:8080 and 127.0.0.3:8080. Needs root. Exit 0 = all checks passed.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
NODE=$(command -v node)

if [ "${1:-}" != --inside ]; then
  [ "$(id -u)" = 0 ] || { echo "needs root (unshare -m, bind mounts)" >&2; exit 2; }
  command -v ldirectord >/dev/null || [ -x /usr/sbin/ldirectord ] || { echo "ldirectord is not installed" >&2; exit 2; }
  (cd "$ROOT" && npx tsc -p tsconfig.build.json)
  T=$(mktemp -d /tmp/tslvs-ldirectord-XXXXXX)
  mkdir -p "$T/run" "$T/log"
  # The bind-mounted file is seen as /usr/sbin/ipvsadm, so it cannot find the project from
  # its own path: write a wrapper with every path spelled out.
  cat >"$T/ipvsadm" <<EOF
#!/bin/sh
TSLVS_IPVSADM_ARGV0="\$0" TSLVS_IPVS_STATE="$T/state.json" TSLVS_IPVS_EXEC_LOG="$T/execs.jsonl" exec "$NODE" "$ROOT/dist/ipvs/sim/standin-main.js" "\$@"
EOF
  chmod 755 "$T/ipvsadm"
  rc=0
  unshare -m --propagation private bash "$0" --inside "$T" || rc=$?
  if [ "$rc" = 0 ]; then
    echo "PASS: ldirectord ran against the stand-in ($(wc -l <"$T/execs.jsonl") ipvsadm calls); work dir $T"
    [ -n "${KEEP:-}" ] || rm -rf "$T"
  else
    echo "FAIL (work dir kept: $T)" >&2
    echo "--- ldirectord log" >&2
    cat "$T/log/ldirectord.log" >&2 2>/dev/null || true
  fi
  exit "$rc"
fi

# ---------------------------------------------------------------- inside the namespace
T=$2
mount --bind "$T/ipvsadm" /usr/sbin/ipvsadm
mount --bind "$T/run" /run
mount --bind "$T/log" /var/log

"$NODE" -e '
const http = require("http"), fs = require("fs");
for (const ip of ["127.0.0.2", "127.0.0.3"]) {
  http.createServer((req, res) => {
    const down = fs.existsSync(process.argv[1] + "/down-" + ip);
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(down ? "maintenance\n" : "ok " + ip + "\n");
  }).listen(8080, ip);
}
' "$T" &
SERVERS=$!
cleanup() {
  ldirectord "$T/ldirectord.cf" stop >/dev/null 2>&1 || true
  kill "$SERVERS" 2>/dev/null || true
}
trap cleanup EXIT

cat >"$T/ldirectord.cf" <<EOF
checktimeout=2
checkinterval=1
autoreload=no
logfile="/var/log/ldirectord.log"

virtual=10.9.0.1:80
	real=127.0.0.2:8080 masq 1
	real=127.0.0.3:8080 masq 2
	service=http
	checktype=negotiate
	request="check"
	receive="ok"
	scheduler=wrr
	protocol=tcp
	quiescent=yes

virtual=10.9.0.2:80
	real=127.0.0.2:8080 masq 3
	real=127.0.0.3:8080 masq 4
	service=http
	checktype=negotiate
	request="check"
	receive="ok"
	scheduler=rr
	protocol=tcp
	quiescent=no
EOF

table() { /usr/sbin/ipvsadm -S -n; }
# wait_for DESCRIPTION EXPECTED: poll the stand-in's table (as -S -n) until it equals EXPECTED
wait_for() {
  local what=$1 want=$2 got=""
  for _ in $(seq 1 100); do
    got=$(table)
    [ "$got" = "$want" ] && { echo "ok: $what"; return 0; }
    sleep 0.2
  done
  echo "FAILED: $what" >&2
  echo "--- wanted:" >&2; echo "$want" >&2
  echo "--- got:" >&2; echo "$got" >&2
  return 1
}

for _ in $(seq 1 50); do
  curl -s --max-time 1 http://127.0.0.3:8080/ >/dev/null 2>&1 && break
  "$NODE" -e 'require("http").get("http://127.0.0.3:8080/",()=>process.exit(0)).on("error",()=>process.exit(1))' && break
  sleep 0.1
done

ldirectord "$T/ldirectord.cf" start
wait_for "start: both virtuals added with both reals at full weight" "$(cat <<'EOF'
-A -t 10.9.0.1:80 -s wrr
-a -t 10.9.0.1:80 -r 127.0.0.2:8080 -m -w 1
-a -t 10.9.0.1:80 -r 127.0.0.3:8080 -m -w 2
-A -t 10.9.0.2:80 -s rr
-a -t 10.9.0.2:80 -r 127.0.0.2:8080 -m -w 3
-a -t 10.9.0.2:80 -r 127.0.0.3:8080 -m -w 4
EOF
)"

touch "$T/down-127.0.0.3"
wait_for "127.0.0.3 down: quiesced (weight 0) on the quiescent virtual, deleted on the other" "$(cat <<'EOF'
-A -t 10.9.0.1:80 -s wrr
-a -t 10.9.0.1:80 -r 127.0.0.2:8080 -m -w 1
-a -t 10.9.0.1:80 -r 127.0.0.3:8080 -m -w 0
-A -t 10.9.0.2:80 -s rr
-a -t 10.9.0.2:80 -r 127.0.0.2:8080 -m -w 3
EOF
)"

rm -f "$T/down-127.0.0.3"
wait_for "127.0.0.3 back: restored on one virtual, re-added on the other" "$(cat <<'EOF'
-A -t 10.9.0.1:80 -s wrr
-a -t 10.9.0.1:80 -r 127.0.0.2:8080 -m -w 1
-a -t 10.9.0.1:80 -r 127.0.0.3:8080 -m -w 2
-A -t 10.9.0.2:80 -s rr
-a -t 10.9.0.2:80 -r 127.0.0.2:8080 -m -w 3
-a -t 10.9.0.2:80 -r 127.0.0.3:8080 -m -w 4
EOF
)"

ldirectord "$T/ldirectord.cf" stop
wait_for "stop: virtual services purged" ""

for line in "Added real server: 127.0.0.3:8080 (10.9.0.1:80) (Weight set to 2)" \
            "Quiescent real server: 127.0.0.3:8080 (10.9.0.1:80) (Weight set to 0)" \
            "Deleted real server: 127.0.0.3:8080 (10.9.0.2:80)" \
            "Restored real server: 127.0.0.3:8080 (10.9.0.1:80) (Weight set to 2)"; do
  grep -qF "$line" /var/log/ldirectord.log || { echo "FAILED: log lacks: $line" >&2; exit 1; }
  echo "ok: log has: $line"
done
if grep -q "system(.*) failed" /var/log/ldirectord.log; then
  echo "FAILED: an ipvsadm call failed:" >&2
  grep "system(.*) failed" /var/log/ldirectord.log >&2
  exit 1
fi
echo "ok: no failed ipvsadm call in the log"
