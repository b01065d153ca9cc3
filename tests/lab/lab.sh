#!/usr/bin/env bash
# The network-namespace lab: miniature Kubernetes nodes built from network namespaces
# on a real kernel, proven to forward with ping, then every supported command run in
# every node and pod namespace. tests/lab/assemble.py turns the raw outputs into captures.
#
#   tests/lab/lab.sh RAWDIR      (root; needs iproute2, iputils-ping, util-linux, python3;
#                                 route -n and brctl show are collected when present)
#
# Everything happens inside a throwaway `unshare --mount --net` sandbox with a private
# tmpfs over /run/netns: the machine's own interfaces, routes and netns are never
# touched, and a crash leaks nothing (the namespaces die with the sandbox).
#
# Namespaces, as on a real node:
#   * a node's own namespace and each layout's "VNet" are unnamed (handles on a private
#     tmpfs, entered with nsenter), so a pod sees its node as `link-netnsid 0`, as a pod
#     sees a real node's root namespace;
#   * pods are named cni-<uuid> in /run/netns, as containerd names them, so the node
#     sees `link-netns cni-...` on its host veths.
# Names, MACs and addresses are derived from md5 of fixed keys and every object is made
# in a fixed order (ifindex and nsid follow creation order), so two runs print the same.
#
# RAWDIR receives:
#   manifest.tsv  node/pod rows: layout, node, pod, address, netns (read by assemble.py)
#   pings.tsv     every forwarding check: layout, from, to, ok|FAIL
#   versions.tsv  kernel and tool versions
#   timings.tsv   seconds spent building, pinging and collecting
#   <layout>/<node>/<host|pod-NAME>/<slug>.out and commands.tsv (command, slug, in order)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)

if [[ ${1:-} != --inside ]]; then
  out=${1:?usage: lab.sh RAWDIR}
  if ((EUID != 0)); then
    echo "lab: needs root (it makes network namespaces and mounts inside a throwaway sandbox)" >&2
    exit 2
  fi
  mkdir -p "$out"
  out=$(cd "$out" && pwd)
  if [[ -n $(ls -A "$out") ]]; then echo "lab: $out is not empty" >&2; exit 2; fi
  handles=$(mktemp -d "${TMPDIR:-/tmp}/fg-lab-ns.XXXXXX")
  trap 'rmdir "$handles" 2>/dev/null || true' EXIT
  unshare --mount --net --propagation private -- bash "$here/lab.sh" --inside "$handles" "$out"
  exit
fi
H=$2 OUT=$3

# --- the sandbox -------------------------------------------------------------------------
mkdir -p /run/netns
mount -t tmpfs -o mode=755 fg-lab-netns /run/netns
mount -t tmpfs -o mode=700 fg-lab-handles "$H"
ip link set lo up

TAP_PIDS=()
cleanup() {  # the namespaces die with the sandbox; only the processes we started need ending
  local pid
  for pid in "${TAP_PIDS[@]}" ${HASHER_PID:-}; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

# Names, MACs and uuids come from md5 of fixed keys. One hashing process answers them all:
# a fork per hash would cost more than the rest of the build.
coproc HASHER { exec "${LAB_PYTHON:-python3}" -u -c '
import hashlib, sys
for line in sys.stdin:
    print(hashlib.md5(line.rstrip("\n").encode()).hexdigest(), flush=True)
'; }
HASHER_PID=$HASHER_PID
md5hex() { # md5hex KEY -> the 32 hex digits of md5(KEY) in $REPLY
  printf '%s\n' "$1" >&"${HASHER[1]}"
  read -r REPLY <&"${HASHER[0]}"
}
hexname() { # hexname PREFIX KEY N -> PREFIX + N hex digits of md5(KEY), like CNI plugins' veth names
  md5hex "$2"
  REPLY=$1${REPLY:0:$3}
}
mac() { # mac KEY -> a locally administered unicast MAC, as the kernel's random ones are
  local h
  md5hex "mac/$1"
  h=$REPLY
  printf -v REPLY '%02x:%s:%s:%s:%s:%s' $(((16#${h:0:2} & 0xfc) | 0x02)) "${h:2:2}" "${h:4:2}" "${h:6:2}" "${h:8:2}" "${h:10:2}"
}
azmac() { # azmac KEY -> a MAC in Microsoft's 00:0d:3a OUI, as Azure NICs have
  md5hex "azmac/$1"
  REPLY="00:0d:3a:${REPLY:0:2}:${REPLY:2:2}:${REPLY:4:2}"
}
dockermac() { # dockermac KEY -> 02:42:..., as Docker gives its bridges
  md5hex "dockermac/$1"
  REPLY="02:42:${REPLY:0:2}:${REPLY:2:2}:${REPLY:4:2}:${REPLY:6:2}"
}
uuid() { # uuid KEY -> a version-4-shaped uuid from md5(KEY)
  local h v
  md5hex "uuid/$1"
  h=$REPLY
  printf -v v %x $(((16#${h:16:1} & 3) | 8))
  REPLY="${h:0:8}-${h:8:4}-4${h:13:3}-$v${h:17:3}-${h:20:12}"
}

# --- namespaces and batched configuration ---------------------------------------------------
declare -A NS=()      # key (layout/node, layout/pod, layout/vnet) -> netns handle path
declare -A POD_NS=()  # layout/pod -> its cni-<uuid> name
declare -A NODE_OF=() # layout/pod -> node
declare -A IPV6=()    # layout/node -> 1 when the node's namespaces get `ip -6 route`
NODES=()              # layout/node, in build order
PODS=()               # layout/pod, in build order
KEYS=()               # every netns key of the layout being built, in creation order
NETNS_COUNT=0

nsx() { # nsx KEY COMMAND... : run COMMAND in the netns KEY now
  local key=$1
  shift
  nsenter --net="${NS[$key]}" "$@"
}

new_ns() { # new_ns KEY FILE FORWARD : a netns bound to FILE, set up before any device exists in it
  NS[$1]=$2
  KEYS+=("$1")
  : >"$2"
  # No DAD (addresses would read `tentative` for a second); forwarding as the role needs.
  unshare --net="$2" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
    net.ipv4.ip_forward="$3" net.ipv6.conf.all.forwarding="$3"
  q 1 "$1" ip link set lo up
  NETNS_COUNT=$((NETNS_COUNT + 1))
}

# Configuration is queued per namespace and run as one `ip -batch` (and `bridge -batch`,
# one sysctl) per namespace and round, in creation order: a fork per command made the
# build ten times slower. Round 1 makes each namespace's own devices (a veth's peer lands
# in the other namespace then); round 2 configures what other namespaces' round 1 made
# (a pod's eth0, a VNet port). Order inside a namespace is call order, so ifindexes and
# nsids come out the same on every run.
declare -A QUEUE=()
q() { # q ROUND KEY ip|bridge|sysctl ARGS... : queue one command
  local round=$1 key=$2 tool=$3
  shift 3
  [[ $tool == ip || $tool == bridge || $tool == sysctl ]] || { echo "lab: cannot queue $tool" >&2; exit 1; }
  QUEUE[$round|$key|$tool]+="$*"$'\n'
}

flush() { # run every queued command, round by round, namespace by namespace
  local round key tool text
  for round in 1 2; do
    for key in "${KEYS[@]}"; do
      for tool in ip bridge sysctl; do
        text=${QUEUE[$round|$key|$tool]:-}
        [[ -z $text ]] && continue
        unset "QUEUE[$round|$key|$tool]"
        if [[ $tool == sysctl ]]; then
          # shellcheck disable=SC2086
          nsx "$key" sysctl -qw $text
        elif ! nsx "$key" "$tool" -batch - <<<"$text" >/dev/null; then
          echo "lab: $tool -batch failed in $key; its commands were:" >&2
          printf '%s' "$text" >&2
          exit 1
        fi
      done
    done
  done
  KEYS=()
}

# --- building blocks ---------------------------------------------------------------------
VNET_GW=10.224.0.1

vnet() { # vnet LAYOUT : the Azure VNet as an L2 bridge holding the gateway, routing between nodes
  local key=$1/vnet
  new_ns "$key" "$H/${key//\//_}" 1
  azmac "$key/vnet0"
  q 1 "$key" ip link add vnet0 address "$REPLY" type bridge
  q 1 "$key" ip addr add $VNET_GW/16 dev vnet0
  q 1 "$key" ip link set vnet0 up
}

vnet_route() { # vnet_route LAYOUT PREFIX NODE_IP : what Azure's SDN routes (UDRs, pod IPs on a NIC)
  q 1 "$1/vnet" ip route add "$2" via "$3"
}

node() { # node LAYOUT NODE [veth|tap] : a node whose eth0 is a veth into the VNet, or a tap
  local layout=$1 node=$2 key=$1/$2 kind=${3:-veth} i
  new_ns "$key" "$H/${key//\//_}" 1
  NODES+=("$key")
  azmac "$key/eth0"
  local eth0_mac=$REPLY
  if [[ $kind == tap ]]; then
    # A tap with its file open has carrier, like a NIC, and no @ifN peer; it carries nothing.
    # exec: the holder itself is our child, so SIGTERM and its parent-death signal reach it.
    (exec nsenter --net="${NS[$key]}" "${LAB_PYTHON:-python3}" "$here/tapholder.py" eth0 >"$H/tap.$node.ready") &
    TAP_PIDS+=("$!")
    for i in $(seq 200); do
      [[ -s "$H/tap.$node.ready" ]] && break
      sleep 0.01
    done
    [[ -s "$H/tap.$node.ready" ]] || { echo "lab: the tap holder for $key did not start" >&2; exit 1; }
    q 1 "$key" ip link set eth0 address "$eth0_mac" up
  else
    hexname nic "$key" 8
    q 1 "$key" ip link add eth0 address "$eth0_mac" type veth peer name "$REPLY" netns "${NS[$layout/vnet]}"
    q 1 "$key" ip link set eth0 up
    q 2 "$layout/vnet" ip link set "$REPLY" master vnet0 up
  fi
}

dhcp_uplink() { # dhcp_uplink KEY DEV IP : what systemd-networkd sets up on an Ubuntu 22.04 AKS node
  local key=$1 dev=$2 ip=$3
  q 1 "$key" ip addr add "$ip/16" brd 10.224.255.255 metric 100 dev "$dev"
  q 1 "$key" ip route add default via $VNET_GW dev "$dev" proto dhcp src "$ip" metric 100
  q 1 "$key" ip route add $VNET_GW dev "$dev" proto dhcp scope link src "$ip" metric 100
  q 1 "$key" ip route add 168.63.129.16 via $VNET_GW dev "$dev" proto dhcp src "$ip" metric 100
  q 1 "$key" ip route add 169.254.169.254 via $VNET_GW dev "$dev" proto dhcp src "$ip" metric 100
}

pod() { # pod LAYOUT NODE POD HOSTVETH [HOSTMAC] : a pod netns with eth0, its peer HOSTVETH on the node
  local layout=$1 node=$2 pod=$3 veth=$4 hmac=${5:-} key=$1/$3 name
  uuid "$key"
  name=cni-$REPLY
  new_ns "$key" "/run/netns/$name" 0
  POD_NS[$key]=$name
  NODE_OF[$key]=$node
  PODS+=("$key")
  if [[ -z $hmac ]]; then
    mac "$key/host"
    hmac=$REPLY
  fi
  mac "$key/eth0"
  q 1 "$layout/$node" ip link add "$veth" address "$hmac" type veth peer name eth0 address "$REPLY" netns "$name"
  q 1 "$layout/$node" ip link set "$veth" up
  q 2 "$key" ip link set eth0 up
}

pod_addr() { # pod_addr LAYOUT POD CIDR : the pod's address, recorded in the manifest
  q 2 "$1/$2" ip addr add "$3" dev eth0
  printf 'pod\t%s\t%s\t%s\t%s\t%s\n' "$1" "${NODE_OF[$1/$2]}" "$2" "${3%/*}" "${POD_NS[$1/$2]}" >>"$OUT/manifest.tsv"
}

routed_pod() { # routed_pod LAYOUT POD GATEWAY : default via a link-scope gateway, as Calico and Azure CNI do
  q 2 "$1/$2" ip route add "$3" dev eth0 scope link
  q 2 "$1/$2" ip route add default via "$3" dev eth0
}

proxy_arp() { # proxy_arp KEY DEV : answer the pod's ARP for the link-local gateway at once
  q 1 "$1" sysctl "net.ipv4.conf.$2.proxy_arp=1" "net.ipv4.neigh.$2.proxy_delay=0"
}

docker0() { # an idle docker0, as older AKS images and many hosts have
  dockermac "$1/docker0"
  q 1 "$1" ip link add docker0 address "$REPLY" type bridge
  q 1 "$1" ip addr add 172.17.0.1/16 brd 172.17.255.255 dev docker0
  q 1 "$1" ip link set docker0 up
}

# --- layouts -----------------------------------------------------------------------------
# Each layout is its own little cluster with its own VNet; addresses repeat across layouts
# (every first node is 10.224.0.4), as they do across real AKS clusters.
PINGS=() # layout|from-key|target

check() { PINGS+=("$1|$2|$3"); }

layout_kubenet_bridge() {
  local l=lab-kubenet-bridge n=aks-nodepool1-vmss000000 i veth
  node $l $n tap
  dhcp_uplink $l/$n eth0 10.224.0.4
  IPV6[$l/$n]=1
  docker0 $l/$n
  mac "$l/$n/cbr0"
  q 1 $l/$n ip link add cbr0 address "$REPLY" type bridge
  q 1 $l/$n ip addr add 10.244.0.1/24 brd 10.244.0.255 dev cbr0
  q 1 $l/$n ip addr add fd00:10:244::1/64 dev cbr0
  q 1 $l/$n ip link set cbr0 promisc on up
  for i in 0 1 2; do
    hexname veth "$l/web-$i" 8
    veth=$REPLY
    pod $l $n web-$i "$veth"
    q 1 $l/$n ip link set "$veth" master cbr0
    pod_addr $l web-$i 10.244.0.$((i + 2))/24
    q 2 $l/web-$i ip route add default via 10.244.0.1 dev eth0
  done
  # web-0 is dual-stack: an IPv6 address from the node's IPv6 pod range too.
  q 2 $l/web-0 ip addr add fd00:10:244::2/64 dev eth0
  q 2 $l/web-0 ip route add default via fd00:10:244::1 dev eth0
  check $l $l/web-0 10.244.0.3
  check $l $l/web-0 10.244.0.4
  check $l $l/web-1 10.244.0.1
  check $l $l/web-2 10.224.0.4
  check $l $l/web-0 fd00:10:244::1
}

layout_azure_cni_bridge() {
  local l=lab-azure-cni-bridge n=aks-nodepool1-vmss000000 i veth
  vnet $l
  node $l $n
  # Azure CNI in bridge mode moves the node address and routes from eth0 to azure0,
  # which takes eth0's MAC, and enslaves eth0.
  azmac "$l/$n/eth0"
  q 1 $l/$n ip link add azure0 address "$REPLY" type bridge
  q 1 $l/$n ip link set eth0 master azure0
  q 1 $l/$n ip addr add 10.224.0.4/16 brd 10.224.255.255 dev azure0
  q 1 $l/$n ip link set azure0 up
  q 1 $l/$n ip route add default via $VNET_GW dev azure0
  for i in 0 1 2; do
    hexname azv "$l/web-$i" 11
    veth=$REPLY
    pod $l $n web-$i "$veth"
    q 1 $l/$n ip link set "$veth" master azure0
    pod_addr $l web-$i 10.224.0.$((10 + i))/16
    q 2 $l/web-$i ip route add default via $VNET_GW dev eth0
  done
  check $l $l/web-0 10.224.0.11
  check $l $l/web-0 10.224.0.12
  check $l $l/web-1 $VNET_GW
  check $l $l/web-2 10.224.0.4
}

prefix_of() { # prefix_of ADDR/LEN -> the IPv4 network prefix, in $REPLY
  local addr=${1%/*} len=${1#*/} a b c d n
  IFS=. read -r a b c d <<<"$addr"
  n=$(((a << 24 | b << 16 | c << 8 | d) & (0xffffffff << (32 - len)) & 0xffffffff))
  printf -v REPLY '%d.%d.%d.%d/%d' $((n >> 24 & 255)) $((n >> 16 & 255)) $((n >> 8 & 255)) $((n & 255)) "$len"
}

# transparent_node LAYOUT NODE NODE_IP POD_PREFIX_LEN FIRST_POD_INDEX POD_ADDRESSES... :
# Azure CNI transparent mode: azv* host veths all with MAC aa:aa:aa:aa:aa:aa and proxy ARP,
# a /32 `proto static` route per pod; the pod's only routes lead to 169.254.1.1.
transparent_node() {
  local l=$1 n=$2 ip=$3 len=$4 i=$5 addr veth
  shift 5
  node $l $n
  dhcp_uplink $l/$n eth0 "$ip"
  for addr in "$@"; do
    hexname azv "$l/web-$i" 11
    veth=$REPLY
    pod $l $n web-$i "$veth" aa:aa:aa:aa:aa:aa
    proxy_arp $l/$n "$veth"
    q 1 $l/$n ip route add "$addr" dev "$veth" proto static scope link
    pod_addr $l web-$i "$addr/$len"
    # Azure CNI removes the subnet route the kernel adds, so everything goes through the host.
    prefix_of "$addr/$len"
    q 2 $l/web-$i ip route del "$REPLY" dev eth0
    routed_pod $l web-$i 169.254.1.1
    i=$((i + 1))
  done
}

layout_azure_cni_transparent() {
  local l=lab-azure-cni-transparent n=aks-nodepool1-vmss000000 a
  vnet $l
  transparent_node $l $n 10.224.0.4 16 0 10.224.0.10 10.224.0.11 10.224.0.12
  # The pods' addresses are secondary IPs of the node's NIC: the VNet delivers them to it.
  for a in 10.224.0.10 10.224.0.11 10.224.0.12; do vnet_route $l $a/32 10.224.0.4; done
  check $l $l/web-0 10.224.0.11
  check $l $l/web-0 10.224.0.12
  check $l $l/web-1 $VNET_GW
  check $l $l/web-2 10.224.0.4
}

layout_azure_cni_overlay() {
  local l=lab-azure-cni-overlay
  vnet $l
  transparent_node $l aks-nodepool1-vmss000000 10.224.0.4 24 0 10.244.0.10 10.244.0.11
  transparent_node $l aks-nodepool1-vmss000001 10.224.0.5 24 2 10.244.1.10 10.244.1.11
  # Overlay: the pod CIDRs are routed to their nodes by the platform, with no tunnel device.
  vnet_route $l 10.244.0.0/24 10.224.0.4
  vnet_route $l 10.244.1.0/24 10.224.0.5
  check $l $l/web-0 10.244.0.11
  check $l $l/web-0 10.244.1.10
  check $l $l/web-3 10.244.0.10
  check $l $l/web-1 $VNET_GW
}

# calico_pods LAYOUT NODE FIRST_INDEX ADDRESSES... : cali* veths with MAC ee:ee:ee:ee:ee:ee and
# proxy ARP, a /32 route per pod, pods with a /32 and a default via 169.254.1.1.
calico_pods() {
  local l=$1 n=$2 i=$3 addr veth
  shift 3
  for addr in "$@"; do
    hexname cali "$l/web-$i" 11
    veth=$REPLY
    pod $l $n web-$i "$veth" ee:ee:ee:ee:ee:ee
    proxy_arp $l/$n "$veth"
    q 1 $l/$n ip route add "$addr" dev "$veth" scope link
    pod_addr $l web-$i "$addr/32"
    routed_pod $l web-$i 169.254.1.1
    i=$((i + 1))
  done
}

layout_calico() {
  local l=lab-calico n=aks-nodepool1-vmss000000 br
  vnet $l
  node $l $n
  dhcp_uplink $l/$n eth0 10.224.0.4
  # A Docker user-defined network beside Calico: an idle br-<network id> bridge.
  hexname br- "$l/$n/docker-network" 12
  br=$REPLY
  dockermac "$l/$n/$br"
  q 1 $l/$n ip link add "$br" address "$REPLY" type bridge
  q 1 $l/$n ip addr add 172.18.0.1/16 brd 172.18.255.255 dev "$br"
  q 1 $l/$n ip link set "$br" up
  calico_pods $l $n 0 10.244.0.2 10.244.0.3 10.244.0.4
  vnet_route $l 10.244.0.0/24 10.224.0.4 # kubenet's route table (a UDR) for the node's pod range
  check $l $l/web-0 10.244.0.3
  check $l $l/web-0 10.244.0.4
  check $l $l/web-1 10.224.0.4
  check $l $l/web-2 $VNET_GW
}

# vxlan_peer KEY DEV NEXTHOP PEER_MAC PEER_IP : the neighbour and FDB entries flanneld and
# Felix write for another node's VXLAN endpoint (no learning, no multicast).
vxlan_peer() {
  q 1 "$1" ip neigh add "$3" lladdr "$4" dev "$2" nud permanent
  q 1 "$1" bridge fdb append "$4" dev "$2" dst "$5" self permanent
}

layout_calico_vxlan() {
  local l=lab-calico-vxlan spec n ip block tunnel first pods other on oip oblock otunnel
  # node:address:block:tunnel address:first pod index:pod addresses (Calico IPAM /26 blocks)
  local nodes=(
    aks-nodepool1-vmss000000:10.224.0.4:10.244.0.0/26:10.244.0.0:0:10.244.0.1,10.244.0.2
    aks-nodepool1-vmss000001:10.224.0.5:10.244.0.64/26:10.244.0.64:2:10.244.0.65,10.244.0.66
  )
  vnet $l
  for spec in "${nodes[@]}"; do
    IFS=: read -r n ip block tunnel first pods <<<"$spec"
    node $l "$n"
    dhcp_uplink "$l/$n" eth0 "$ip"
    mac "$l/$n/vxlan.calico"
    q 1 "$l/$n" ip link add vxlan.calico address "$REPLY" mtu 1450 type vxlan \
      id 4096 local "$ip" dev eth0 dstport 4789 nolearning
    q 1 "$l/$n" ip addr add "$tunnel/32" dev vxlan.calico
    q 1 "$l/$n" ip link set vxlan.calico up
    q 1 "$l/$n" ip route add blackhole "$block" proto 80
    # shellcheck disable=SC2086
    calico_pods $l "$n" "$first" ${pods//,/ }
  done
  for spec in "${nodes[@]}"; do
    IFS=: read -r n _ _ _ _ _ <<<"$spec"
    for other in "${nodes[@]}"; do
      IFS=: read -r on oip oblock otunnel _ _ <<<"$other"
      [[ $on == "$n" ]] && continue
      mac "$l/$on/vxlan.calico"
      vxlan_peer "$l/$n" vxlan.calico "$otunnel" "$REPLY" "$oip"
      q 1 "$l/$n" ip route add "$oblock" via "$otunnel" dev vxlan.calico proto 80 onlink
    done
  done
  check $l $l/web-0 10.244.0.2
  check $l $l/web-0 10.244.0.65
  check $l $l/web-3 10.244.0.1
}

# flannel LAYOUT BACKEND NODE_SPECS... : flannel with cni0 (made by the CNI plugin at the
# first pod) and, for vxlan, flannel.1; each spec is node:address:subnet octet:pod count.
flannel() {
  local l=$1 backend=$2 spec n ip net pods i veth other on oip onet mtu=1500 next=0
  shift 2
  local specs=("$@")
  [[ $backend == vxlan ]] && mtu=1450
  vnet $l
  for spec in "${specs[@]}"; do
    IFS=: read -r n ip net pods <<<"$spec"
    node $l "$n"
    dhcp_uplink "$l/$n" eth0 "$ip"
    if [[ $backend == vxlan ]]; then
      mac "$l/$n/flannel.1"
      q 1 "$l/$n" ip link add flannel.1 address "$REPLY" mtu 1450 type vxlan \
        id 1 local "$ip" dev eth0 dstport 8472 nolearning
      q 1 "$l/$n" ip addr add "10.244.$net.0/32" dev flannel.1
      q 1 "$l/$n" ip link set flannel.1 up
    fi
    if ((pods > 0)); then
      mac "$l/$n/cni0"
      q 1 "$l/$n" ip link add cni0 address "$REPLY" mtu $mtu type bridge
      q 1 "$l/$n" ip addr add "10.244.$net.1/24" brd "10.244.$net.255" dev cni0
      q 1 "$l/$n" ip link set cni0 up
    fi
    for ((i = 0; i < pods; i++)); do
      hexname veth "$l/web-$next" 8
      veth=$REPLY
      pod $l "$n" "web-$next" "$veth"
      q 1 "$l/$n" ip link set "$veth" mtu $mtu master cni0
      q 2 "$l/web-$next" ip link set eth0 mtu $mtu
      pod_addr $l "web-$next" "10.244.$net.$((i + 2))/24"
      q 2 "$l/web-$next" ip route add default via "10.244.$net.1" dev eth0
      q 2 "$l/web-$next" ip route add 10.244.0.0/16 via "10.244.$net.1" dev eth0
      next=$((next + 1))
    done
  done
  for spec in "${specs[@]}"; do
    IFS=: read -r n _ _ _ <<<"$spec"
    for other in "${specs[@]}"; do
      IFS=: read -r on oip onet _ <<<"$other"
      [[ $on == "$n" ]] && continue
      if [[ $backend == vxlan ]]; then
        mac "$l/$on/flannel.1"
        vxlan_peer "$l/$n" flannel.1 "10.244.$onet.0" "$REPLY" "$oip"
        q 1 "$l/$n" ip route add "10.244.$onet.0/24" via "10.244.$onet.0" dev flannel.1 onlink
      else
        q 1 "$l/$n" ip route add "10.244.$onet.0/24" via "$oip" dev eth0
      fi
    done
  done
}

layout_flannel_vxlan() {
  local l=lab-flannel-vxlan
  # The third node has no pods yet: flannel.1 and its routes, but no cni0.
  flannel $l vxlan aks-nodepool1-vmss000000:10.224.0.4:0:2 aks-nodepool1-vmss000001:10.224.0.5:1:2 \
    aks-nodepool1-vmss000002:10.224.0.6:2:0
  check $l $l/web-0 10.244.0.3
  check $l $l/web-0 10.244.1.2
  check $l $l/web-3 10.244.0.2
  check $l $l/aks-nodepool1-vmss000002 10.244.1.3
}

layout_flannel_host_gw() {
  local l=lab-flannel-host-gw
  flannel $l host-gw aks-nodepool1-vmss000000:10.224.0.4:0:2 aks-nodepool1-vmss000001:10.224.0.5:1:2
  check $l $l/web-0 10.244.0.3
  check $l $l/web-0 10.244.1.2
  check $l $l/web-3 10.244.0.2
}

layout_cilium() {
  local l=lab-cilium n=aks-nodepool1-vmss000000 router=10.244.0.37 i veth addr host_mac
  vnet $l
  node $l $n
  dhcp_uplink $l/$n eth0 10.224.0.4
  mac "$l/$n/cilium_host"
  host_mac=$REPLY
  mac "$l/$n/cilium_net"
  q 1 $l/$n ip link add cilium_net address "$REPLY" mtu 1500 type veth peer name cilium_host address "$host_mac"
  q 1 $l/$n ip link set cilium_net up
  q 1 $l/$n ip link set cilium_host up
  q 1 $l/$n ip addr add $router/32 dev cilium_host scope link
  q 1 $l/$n ip route add $router dev cilium_host proto kernel scope link
  q 1 $l/$n ip route add 10.244.0.0/24 via $router dev cilium_host proto kernel src $router
  # Tunnel mode: one collect-metadata VXLAN device; Cilium's eBPF picks each packet's tunnel.
  mac "$l/$n/cilium_vxlan"
  q 1 $l/$n ip link add cilium_vxlan address "$REPLY" type vxlan external dstport 8472
  q 1 $l/$n ip link set cilium_vxlan up
  # Cilium's eBPF programs deliver packets to lxc* without routes; the lab cannot load
  # them, so plain per-pod routes in table 100 (chosen by an ip rule, invisible in the
  # main table that `ip route` prints) stand in for them.
  q 1 $l/$n ip rule add to 10.244.0.0/24 lookup 100 pref 100
  i=0
  for addr in 10.244.0.10 10.244.0.11 10.244.0.12; do
    hexname lxc "$l/web-$i" 12
    veth=$REPLY
    pod $l $n web-$i "$veth"
    q 1 $l/$n ip route add "$addr" dev "$veth" scope link table 100
    pod_addr $l web-$i "$addr/32"
    q 2 $l/web-$i ip link set eth0 mtu 1450
    q 2 $l/web-$i ip route add $router dev eth0 scope link
    q 2 $l/web-$i ip route add default via $router dev eth0 mtu 1450
    i=$((i + 1))
  done
  check $l $l/web-0 10.244.0.11
  check $l $l/web-0 10.244.0.12
  check $l $l/web-1 $router
}

LAYOUTS=(kubenet_bridge azure_cni_bridge azure_cni_transparent azure_cni_overlay calico calico_vxlan
  flannel_vxlan flannel_host_gw cilium)

# --- proving and collecting ---------------------------------------------------------------
prove() { # every check, in order; a failed ping is reported, and fails the lab
  local spec layout from target fails=0 v
  : >"$OUT/pings.tsv"
  for spec in "${PINGS[@]}"; do
    IFS='|' read -r layout from target <<<"$spec"
    v=-4
    [[ $target == *:* ]] && v=-6
    if nsx "$from" ping "$v" -n -q -c 1 -W 2 "$target" >/dev/null 2>&1; then
      printf '%s\t%s\t%s\tok\n' "$layout" "${from#*/}" "$target" >>"$OUT/pings.tsv"
    else
      printf '%s\t%s\t%s\tFAIL\n' "$layout" "${from#*/}" "$target" >>"$OUT/pings.tsv"
      echo "lab: ping from $from to $target failed" >&2
      fails=$((fails + 1))
    fi
  done
  return $fails
}

COMMANDS=("ip addr" "ip -j addr" "ip -j -d link" "ip route" "ip -j route")
command -v route >/dev/null && COMMANDS+=("route -n")
command -v brctl >/dev/null && COMMANDS+=("brctl show")
COMMANDS+=("bridge link")

# The kernel attaches a device's qdisc and sets its operstate from deferred work (linkwatch,
# up to a second late); until then an up device reads `qdisc noop`. Such an output is not
# the settled state, so the namespace is collected again.
UNSETTLED="[<,]UP[,>][^"$'\n'"]* qdisc noop "

collect_ns() { # collect_ns KEY DIR IPV6 : run every command in one netns, with its own sysfs (brctl reads /sys)
  local key=$1 dir=$2 cmds=("${COMMANDS[@]}") cmd slug script= try err
  [[ $3 == 1 ]] && cmds+=("ip -6 route")
  : >"$dir/commands.tsv"
  for cmd in "${cmds[@]}"; do
    slug=${cmd// -/-}
    slug=${slug// /-}
    printf '%s\t%s\n' "$cmd" "$slug" >>"$dir/commands.tsv"
    script+="$cmd >'$dir/$slug.out' 2>'$dir/$slug.err' || echo \"exit \$? from '$cmd'\" >>'$dir/failed';"
  done
  for try in $(seq 40); do
    nsx "$key" unshare --mount --propagation private sh -c "mount -t sysfs lab-sysfs /sys && $script"
    [[ $(<"$dir/ip-addr.out") =~ $UNSETTLED ]] || break
    ((try < 40)) || { echo "lab: devices in $key never left qdisc noop" >&2; return 1; }
    sleep 0.05
  done
  for err in "$dir"/*.err; do
    if [[ -s $err || -e $dir/failed ]]; then
      echo "lab: a command failed in $key:" >&2
      cat "$dir/failed" "$dir"/*.err >&2 2>/dev/null || true
      return 1
    fi
  done
  rm -f "$dir"/*.err
}

collect() { # every namespace, a few at a time: the commands only read, so order does not matter
  local key layout node pod jobs=0 failed=0 dirs=() args=()
  for key in "${NODES[@]}"; do
    layout=${key%%/*} node=${key#*/}
    printf 'node\t%s\t%s\t%s\n' "$layout" "$node" "${IPV6[$key]:-0}" >>"$OUT/manifest.tsv"
    dirs+=("$OUT/$layout/$node/host")
    args+=("$key|$OUT/$layout/$node/host|${IPV6[$key]:-0}")
  done
  for key in "${PODS[@]}"; do
    layout=${key%%/*} pod=${key#*/} node=${NODE_OF[$key]}
    dirs+=("$OUT/$layout/$node/pod-$pod")
    args+=("$key|$OUT/$layout/$node/pod-$pod|${IPV6[$layout/$node]:-0}")
  done
  mkdir -p "${dirs[@]}"
  for spec in "${args[@]}"; do
    IFS='|' read -r key dir v6 <<<"$spec"
    collect_ns "$key" "$dir" "$v6" &
    if ((++jobs >= ${LAB_JOBS:-4})); then
      wait -n || failed=1
      jobs=$((jobs - 1))
    fi
  done
  while ((jobs > 0)); do
    wait -n || failed=1
    jobs=$((jobs - 1))
  done
  return $failed
}

versions() {
  {
    printf 'kernel\t%s\n' "$(uname -r)"
    printf 'iproute2\t%s\n' "$(ip -V | sed -n 's/.*iproute2-\([^ ,]*\).*/\1/p')"
    command -v route >/dev/null && printf 'net-tools\t%s\n' "$(route --version 2>&1 | sed -n 's/^net-tools \(.*\)/\1/p')"
    command -v brctl >/dev/null && printf 'bridge-utils\t%s\n' "$(brctl --version 2>&1 | sed -n 's/.*, *//p')"
    true
  } >"$OUT/versions.tsv"
}

# With LAB_COLLECTOR=FILE (generator/collect.sh), the node-side collector also runs in every
# node as on a real one: in the node's netns, its own UTS namespace (uname -n is the node's
# name) and PID namespace (/proc shows no other node's processes), with a /run/netns that
# holds only that node's pods. Its transcript goes to
# <layout>/<node>/transcript.txt.
run_collector() {
  local key layout node pod names view
  for key in "${NODES[@]}"; do
    layout=${key%%/*} node=${key#*/}
    names=()
    for pod in "${PODS[@]}"; do
      [[ ${pod%%/*} == "$layout" && ${NODE_OF[$pod]} == "$node" ]] && names+=("${POD_NS[$pod]}")
    done
    view=$H/view-${key//\//_}
    mkdir -p "$view"
    # shellcheck disable=SC2016
    nsx "$key" unshare --mount --uts --pid --fork --mount-proc --propagation private sh -c '
      node=$1 view=$2 collector=$3
      shift 3
      printf "%s" "$node" >/proc/sys/kernel/hostname
      for name do
        : >"$view/$name"
        mount --bind "/run/netns/$name" "$view/$name"
      done
      mount --rbind "$view" /run/netns
      mount -t sysfs lab-sysfs /sys
      exec sh "$collector"' sh "$node" "$view" "$LAB_COLLECTOR" "${names[@]}" >"$OUT/$layout/$node/transcript.txt"
  done
}

now() { REPLY=$EPOCHREALTIME; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

: >"$OUT/manifest.tsv"
now; t0=$REPLY
for layout in "${LAYOUTS[@]}"; do
  "layout_$layout"
  flush
done
now; t1=$REPLY
prove || { echo "lab: forwarding checks failed (see $OUT/pings.tsv)" >&2; exit 1; }
now; t2=$REPLY
versions
collect
if [[ -n ${LAB_COLLECTOR:-} ]]; then run_collector; fi
now; t3=$REPLY
printf 'build\t%s\nping\t%s\ncollect\t%s\ntotal\t%s\n' "$(secs "$t0" "$t1")" "$(secs "$t1" "$t2")" \
  "$(secs "$t2" "$t3")" "$(secs "$t0" "$t3")" >"$OUT/timings.tsv"
echo "lab: ${#LAYOUTS[@]} layouts, ${#NODES[@]} nodes, ${#PODS[@]} pods, $NETNS_COUNT netns, ${#PINGS[@]} pings ok;" \
  "build $(secs "$t0" "$t1")s, ping $(secs "$t1" "$t2")s, collect $(secs "$t2" "$t3")s, total $(secs "$t0" "$t3")s"
