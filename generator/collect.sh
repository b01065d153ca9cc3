#!/bin/sh
# fieldguide collector: what a node's network looks like, as one transcript on stdout.
#
#   sh collect.sh > node.txt          (as root on the node; `fieldguide collect-script` prints this file)
#   fieldguide import node.txt --plugin P --policy Q -o captures/P-Q/NODE.yaml
#
# Read-only: it only runs commands that print state (ip, bridge, and route/brctl where
# installed) in the host network namespace and in every pod network namespace, and
# changes nothing on the node. POSIX sh and iproute2 only: no Python, no jq, so it runs
# on Ubuntu and Azure Linux AKS nodes and under busybox.
#
# Transcript format (read by `fieldguide import`): the first line declares a boundary
# token B, chosen per run, that no output line starts with in practice. Then
#   B meta KEY VALUE                         node, date, kernel, iproute2, ...
#   B begin NS :: COMMAND                    NS is host, netns:NAME or pid:PID
#   ...the command's output, byte for byte...
#   B end exit=N newline=yes|no              newline=no: the output had no final newline,
#                                            and the one before this marker was added
#   B stderr NS :: COMMAND                   only when the command wrote to stderr; same body and end
#   B failed NS :: exit=N :: COMMAND         once per failed command, at the end
#   B done
# COMMAND is exactly what was run, so pod commands read `ip netns exec NAME ip addr`
# or `nsenter -t PID -n ip addr`, as a person would type them.
set -u
export LC_ALL=C

B="FIELDGUIDE-$(date -u +%Y%m%d%H%M%S 2>/dev/null || echo 0)-$$"
TMP=$(mktemp -d 2>/dev/null || echo "/tmp/fieldguide.$$")
mkdir -p "$TMP" || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
FAILED=""

# run NS COMMAND... : run one command, print its block (and its stderr block), remember failures.
run() {
  ns=$1
  shift
  # A trailing marker keeps the output's final newlines (command substitution drops them).
  out=$("$@" 2>"$TMP/err" </dev/null; printf 'x%s' "$?")
  rc=${out##*x}
  out=${out%x*}
  printf '%s begin %s :: %s\n' "$B" "$ns" "$*"
  if [ -z "$out" ]; then
    printf '%s end exit=%s newline=yes\n' "$B" "$rc"
  else
    printf '%s' "$out"
    case $out in
      *'
') printf '%s end exit=%s newline=yes\n' "$B" "$rc" ;;
      *) printf '\n%s end exit=%s newline=no\n' "$B" "$rc" ;;
    esac
  fi
  if [ -s "$TMP/err" ]; then
    printf '%s stderr %s :: %s\n' "$B" "$ns" "$*"
    cat "$TMP/err"
    if [ -n "$(tail -c 1 "$TMP/err")" ]; then
      printf '\n%s end exit=%s newline=no\n' "$B" "$rc"
    else
      printf '%s end exit=%s newline=yes\n' "$B" "$rc"
    fi
  fi
  if [ "$rc" != 0 ]; then
    FAILED="$FAILED$B failed $ns :: exit=$rc :: $*
"
  fi
}

have() { command -v "$1" >/dev/null 2>&1; }

# every NS PREFIX... : the commands the generator's parsers read, run under PREFIX.
every() {
  ns=$1
  shift
  run "$ns" "$@" ip addr
  run "$ns" "$@" ip -j -d addr
  run "$ns" "$@" ip -j -d link
  run "$ns" "$@" ip route
  run "$ns" "$@" ip -j route
  run "$ns" "$@" ip -6 route
  run "$ns" "$@" bridge link
  if have route; then run "$ns" "$@" route -n; fi
  if have brctl; then run "$ns" "$@" brctl show; fi
}

meta() { printf '%s meta %s %s\n' "$B" "$1" "$2"; }

printf 'fieldguide-transcript 1 boundary %s\n' "$B"
meta node "${FIELDGUIDE_NODE:-$(uname -n)}"
meta date "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
meta kernel "$(uname -r)"
meta iproute2 "$(ip -V 2>&1 | head -n 1)"
if [ -r /etc/os-release ]; then
  meta os "$(. /etc/os-release && printf '%s' "${PRETTY_NAME:-$NAME}")"
fi
for tool in route brctl nsenter; do
  have "$tool" || meta missing "$tool"
done

every host

# Pod network namespaces: containerd names them (cni-<uuid>) under /run/netns.
NETNS=$(ip netns list 2>/dev/null | sed 's/ (id: .*//' | sort)
if [ -n "$NETNS" ]; then
  for name in $NETNS; do
    every "netns:$name" ip netns exec "$name"
  done
elif have nsenter; then
  # None named (Docker-era nodes): one process per network namespace other than ours.
  self=$(readlink /proc/$$/ns/net)
  seen=" $self "
  for dir in /proc/[0-9]*; do
    pid=${dir#/proc/}
    ns=$(readlink "$dir/ns/net" 2>/dev/null) || continue
    case $seen in *" $ns "*) continue ;; esac
    seen="$seen$ns "
    echo "$pid"
  done | sort -n >"$TMP/pids"
  while read -r pid; do
    # A pod's namespace holds one end of a veth; a service's private namespace holds none.
    [ -n "$(nsenter -t "$pid" -n ip -o link show type veth 2>/dev/null </dev/null)" ] || continue
    every "pid:$pid" nsenter -t "$pid" -n
  done <"$TMP/pids"
fi

printf '%s' "$FAILED"
printf '%s done\n' "$B"
