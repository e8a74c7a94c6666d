#!/usr/bin/env bash
# Adapted for tslvs from the team tool kvm-ipvs (see scripts/kernel/README.md); default VM name: tslvs-kernel.
# vm.sh - a long-lived IPVS VM: boot once, run many commands in it.
#
#   vm.sh start  [-n NAME] [run-in-vm.sh options: --mem --smp --modules --timeout ...]
#   vm.sh exec   [-n NAME] [-C DIR] [-e NAME[=VAL]] [--stdin] [--timeout SEC] [--] CMD [ARG...]
#   vm.sh stop   [-n NAME]
#   vm.sh status [-n NAME]
#
# Same guest as run-in-vm.sh (see README.md); the guest runs agent.sh, which picks up jobs
# from a state directory shared read-write over 9p. The kernel state (IPVS table, network
# namespaces, loaded modules) persists between execs until `stop`.
# exec prints the command's stdout/stderr when it has finished (not streamed) and exits with
# its status; 124 = --timeout expired (the command keeps running in the guest); 125 = no VM.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/common.sh"
CACHE=${KVM_IPVS_CACHE:-/var/cache/kvm-ipvs}

log() { echo "kvm-ipvs vm: $*" >&2; }
fail() { log "$*"; exit 125; }

usage() { sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

[ $# -ge 1 ] || { usage >&2; exit 125; }
sub=$1
shift
NAME=${KVM_IPVS_VM:-tslvs-kernel}
if [ "${1:-}" = -n ] || [ "${1:-}" = --name ]; then NAME=$2; shift 2; fi
case "$NAME" in ''|*[!A-Za-z0-9_.-]*) fail "bad VM name '$NAME'" ;; esac
S=$CACHE/vms/$NAME

alive() { [ -s "$S/pid" ] && kill -0 "$(cat "$S/pid")" 2>/dev/null; }

case "$sub" in
  start)
    if alive && [ -e "$S/ready" ]; then log "VM '$NAME' already running (pid $(cat "$S/pid"))"; exit 0; fi
    if alive; then fail "VM '$NAME' is starting or stuck (pid $(cat "$S/pid")); try: vm.sh stop -n $NAME"; fi
    "$HERE/run-in-vm.sh" --build >"$CACHE/build.log" 2>&1 || { cat "$CACHE/build.log" >&2; fail "build failed"; }
    rm -rf "$S"
    mkdir -p "$S/jobs"
    chmod 700 "$S"
    t0=$(date +%s%N)
    # default lifetime 2 h, so that a forgotten VM does not run forever
    setsid "$HERE/run-in-vm.sh" --timeout 7200 "$@" --rw "$S" --kick "$S/kick" -C / -- bash "$HERE/agent.sh" "$S" \
      </dev/null >"$S/vm.out" 2>"$S/vm.err" &
    echo $! >"$S/pid"
    for _ in $(seq 1 1200); do
      [ -e "$S/ready" ] && break
      alive || { cat "$S/vm.err" >&2; fail "VM '$NAME' exited during boot"; }
      sleep 0.05
    done
    [ -e "$S/ready" ] || fail "VM '$NAME' not ready after 60 s (see $S/vm.err)"
    log "VM '$NAME' ready in $(( ($(date +%s%N) - t0) / 1000000 )) ms (pid $(cat "$S/pid"), state $S)"
    ;;

  exec)
    CWD=$PWD
    TIMEOUT=0
    STDIN=0
    ENV_ARGS=()
    while [ $# -gt 0 ]; do
      case "$1" in
        -C|--cwd) CWD=$(realpath -m -- "$2"); shift 2 ;;
        -e|--env) ENV_ARGS+=("$2"); shift 2 ;;
        --stdin) STDIN=1; shift ;;
        --timeout) TIMEOUT=$2; shift 2 ;;
        --) shift; break ;;
        -*) fail "unknown exec option $1" ;;
        *) break ;;
      esac
    done
    [ $# -gt 0 ] || fail "exec: no command"
    alive && [ -e "$S/ready" ] || fail "VM '$NAME' is not running (vm.sh start -n $NAME)"
    J=$(mktemp -d "$S/jobs/XXXXXXXX")
    trap 'rm -rf "$J"' EXIT
    write_cmd_script "$J/cmd.sh" "$CWD" "$@"
    if [ "$STDIN" = 1 ]; then cat >"$J/stdin"; fi
    : >"$J/go"
    echo >"$S/kick.in"   # wakes the agent (it blocks reading this virtio port)
    deadline=$(( $(date +%s%N) / 1000000 + TIMEOUT * 1000 ))
    while [ ! -e "$J/rc" ]; do
      if [ "$TIMEOUT" -gt 0 ] && [ "$(( $(date +%s%N) / 1000000 ))" -ge "$deadline" ]; then
        log "timed out after ${TIMEOUT}s"
        trap - EXIT  # leave the job dir: the command may still be writing to it
        exit 124
      fi
      alive || fail "VM '$NAME' went away"
      sleep 0.01
    done
    cat "$J/stdout"
    cat "$J/stderr" >&2
    exit "$(cat "$J/rc")"
    ;;

  stop)
    if ! alive; then log "VM '$NAME' is not running"; rm -rf "$S"; exit 0; fi
    pid=$(cat "$S/pid")
    : >"$S/stop"
    echo >"$S/kick.in" 2>/dev/null || true
    for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    if kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; sleep 0.5; fi
    rm -rf "$S"
    log "VM '$NAME' stopped"
    ;;

  status)
    if alive && [ -e "$S/ready" ]; then echo "running (pid $(cat "$S/pid"), state $S)"; exit 0; fi
    if alive; then echo "starting (pid $(cat "$S/pid"))"; exit 0; fi
    echo "not running"
    exit 3
    ;;

  -h|--help|help) usage ;;
  *) usage >&2; exit 125 ;;
esac
