"""Create a tap interface in the current network namespace and hold it open.

usage: python3 tapholder.py NAME   (started by lab.sh inside a node's netns)

A tap whose file is open has carrier, like a NIC, and no veth peer: it stands in for a
node's eth0 where the layout needs no traffic off the node. It is not persistent, so it
disappears with this process. The process prints ``ready`` once the tap exists, ends on
SIGTERM, and asks the kernel to send it SIGTERM when lab.sh dies, even by SIGKILL, so it
never outlives the lab.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import signal
import struct
import sys
from types import FrameType

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
PR_SET_PDEATHSIG = 1


def _stop(signum: int, frame: FrameType | None) -> None:
    sys.exit(0)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: tapholder.py NAME", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _stop)
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM) != 0:
        print(f"tapholder: prctl failed: {os.strerror(ctypes.get_errno())}", file=sys.stderr)
        return 1
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", argv[1].encode(), IFF_TAP | IFF_NO_PI))
    print("ready", flush=True)
    while True:
        signal.pause()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
