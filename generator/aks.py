"""What AKS offers today: network plugins (IPAM options and dataplanes) by policy engines.

This is the one place the guide states something about AKS that no capture shows: which
combinations ``az aks create`` accepts, which are legacy or retiring, and when. Every
statement carries the documentation lines it rests on, and the site prints them beside it,
so a reader can check and a maintainer can re-read them when the docs change.

The keys match :func:`generator.capture.offering` (rows) and the schema's
``network_policy`` values (columns).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

DOCS_REPOSITORY = "MicrosoftDocs/azure-aks-docs"
# The commit every documentation line below was read at (2026-08-21).
DOCS_COMMIT = "fb060abe6a8fef960d4c487b543bf7b1e97808fe"


@dataclass(frozen=True)
class Source:
    """Lines of a public document: a file of the AKS docs at DOCS_COMMIT, or a GitHub thread."""

    path: str
    lines: tuple[int, int] | None = None
    repository: str = DOCS_REPOSITORY
    commit: str = DOCS_COMMIT
    thread: str | None = None  # "issues/1954": a GitHub issue or pull request instead of a file

    @property
    def url(self) -> str:
        if self.thread is not None:
            return f"https://github.com/{self.repository}/{self.thread}"
        anchor = ""
        if self.lines is not None:
            first, last = self.lines
            anchor = f"#L{first}" if first == last else f"#L{first}-L{last}"
        return f"https://github.com/{self.repository}/blob/{self.commit}/{self.path}{anchor}"

    @property
    def label(self) -> str:
        if self.thread is not None:
            return f"{self.repository} {self.thread.replace('issues/', 'issue ').replace('pull/', 'pull request ')}"
        name = self.path.rsplit("/", 1)[-1]
        if self.lines is None:
            return name
        first, last = self.lines
        return f"{name}, line {first}" if first == last else f"{name}, lines {first}-{last}"


def _doc(path: str, first: int, last: int | None = None) -> Source:
    return Source(f"articles/aks/{path}", (first, first if last is None else last))


@dataclass(frozen=True)
class Retirement:
    date: str  # YYYY-MM-DD
    what: str
    source: Source


@dataclass(frozen=True)
class Offering:
    """One way AKS gives pods their network: a matrix row."""

    key: str
    name: str
    flags: str  # the az aks create flags that choose it
    status: str  # how the docs place it today, in a few words
    source: Source
    retirement: Retirement | None = None


@dataclass(frozen=True)
class Policy:
    """A matrix column: the value of --network-policy."""

    key: str
    name: str
    retirement: Retirement | None = None


Offered = Literal["offered", "not offered", "not documented"]


@dataclass(frozen=True)
class Cell:
    offered: Offered
    why: str
    source: Source


KUBENET_RETIRES = Retirement(
    "2028-03-31",
    "AKS no longer supports kubenet; clusters are to move to Azure CNI Overlay",
    _doc("includes/kubenet-retirement.md", 10),
)
NPM_LINUX_RETIRES = Retirement(
    "2028-09-30",
    "AKS no longer supports Azure NPM on Linux nodes; clusters are to move to Cilium network policy",
    _doc("includes/azure-network-policy-manager-linux-retirement.md", 10),
)
NPM_WINDOWS_RETIRED = Retirement(
    "2026-09-30",
    "AKS no longer supports Azure NPM on Windows nodes (this guide's nodes are Linux)",
    _doc("includes/azure-network-policy-manager-windows-retirement.md", 10),
)

OFFERINGS: tuple[Offering, ...] = (
    Offering(
        "azure-overlay",
        "Azure CNI Overlay",
        "--network-plugin azure --network-plugin-mode overlay",
        "the default when --network-plugin is not given",
        _doc("azure-cni-overlay.md", 47, 50),
    ),
    Offering(
        "azure-cilium",
        "Azure CNI powered by Cilium",
        "--network-plugin azure --network-dataplane cilium (with Overlay, a pod subnet or the node subnet)",
        "the recommended dataplane; AKS Automatic uses it with Overlay",
        _doc("azure-cni-powered-by-cilium.md", 22, 41),
    ),
    Offering(
        "azure-pod-subnet",
        "Azure CNI pod subnet",
        "--network-plugin azure --pod-subnet-id ...",
        "the recommended flat network",
        _doc("concepts-network-cni-overview.md", 55, 58),
    ),
    Offering(
        "azure-node-subnet",
        "Azure CNI node subnet",
        "--network-plugin azure",
        "legacy flat network",
        _doc("concepts-network-cni-overview.md", 71),
    ),
    Offering(
        "kubenet",
        "kubenet",
        "--network-plugin kubenet",
        "legacy",
        _doc("concepts-network-cni-overview.md", 70),
        KUBENET_RETIRES,
    ),
)

POLICIES: tuple[Policy, ...] = (
    Policy("none", "none"),
    Policy("azure", "Azure NPM", NPM_LINUX_RETIRES),
    Policy("calico", "Calico"),
    Policy("cilium", "Cilium"),
)

_ENGINES = _doc("use-network-policies.md", 54, 58)
_CILIUM_ENFORCES = _doc("azure-cni-powered-by-cilium.md", 60, 62)
_CILIUM_NEEDS_DATAPLANE = _doc("use-network-policies.md", 44)
_NONE = _doc("use-network-policies.md", 346, 352)


def _cells() -> dict[tuple[str, str], Cell]:
    cells: dict[tuple[str, str], Cell] = {}
    for key in ("azure-overlay", "azure-pod-subnet", "azure-node-subnet"):
        cells[key, "none"] = Cell("offered", "no policy engine: --network-policy none, or the flag left out", _NONE)
        cells[key, "cilium"] = Cell(
            "not offered",
            "Cilium policy needs the Cilium dataplane (the Azure CNI powered by Cilium row)",
            _CILIUM_NEEDS_DATAPLANE,
        )
    cells["azure-overlay", "azure"] = Cell(
        "offered",
        "Overlay with the iptables dataplane takes Azure NPM or Calico",
        _doc("concepts-network-azure-cni-overlay.md", 49),
    )
    cells["azure-overlay", "calico"] = cells["azure-overlay", "azure"]
    cells["azure-pod-subnet", "azure"] = Cell(
        "offered", "Azure NPM and Calico work with a pod subnet", _doc("concepts-network-azure-cni-pod-subnet.md", 39)
    )
    cells["azure-pod-subnet", "calico"] = cells["azure-pod-subnet", "azure"]
    cells["azure-node-subnet", "azure"] = Cell("offered", "Azure NPM runs on Azure CNI", _ENGINES)
    cells["azure-node-subnet", "calico"] = Cell("offered", "Calico runs on Azure CNI and kubenet", _ENGINES)
    cells["kubenet", "none"] = Cell("offered", "no policy engine: --network-policy none, or the flag left out", _NONE)
    cells["kubenet", "calico"] = Cell("offered", "Calico is kubenet's only policy engine", _ENGINES)
    cells["kubenet", "azure"] = Cell("not offered", "Azure NPM runs on Azure CNI only", _ENGINES)
    cells["kubenet", "cilium"] = Cell(
        "not offered",
        "kubenet clusters move to Azure CNI Overlay first, then to the Cilium dataplane",
        _doc("use-network-policies.md", 233),
    )
    cells["azure-cilium", "cilium"] = Cell("offered", "Cilium enforces network policy itself", _CILIUM_ENFORCES)
    for policy in ("azure", "calico"):
        cells["azure-cilium", policy] = Cell(
            "not offered", "with Cilium no separate policy engine is installed", _CILIUM_ENFORCES
        )
    cells["azure-cilium", "none"] = Cell(
        "not documented",
        "the docs create Cilium clusters without --network-policy and describe none without enforcement",
        _doc("azure-cni-powered-by-cilium.md", 152, 232),
    )
    return cells


CELLS: dict[tuple[str, str], Cell] = _cells()

# Events the series' story turns on, each with its source.
# "It's already the default and only option for CNI" (a maintainer, 2021-01-13).
TRANSPARENT_BY_DEFAULT = Source("", repository="Azure/AKS", thread="issues/1954", commit="")
RETIREMENTS: tuple[Retirement, ...] = (NPM_WINDOWS_RETIRED, KUBENET_RETIRES, NPM_LINUX_RETIRES)


OFFERING_BY_KEY: dict[str, Offering] = {o.key: o for o in OFFERINGS}
POLICY_BY_KEY: dict[str, Policy] = {p.key: p for p in POLICIES}
