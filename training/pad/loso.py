"""Leave-one-source-out (LOSO) validation of the liveness student, and the operating points it gives.

Every source the student trains on (each live source, each attack source) is held out once: the
student is trained on all the others by the same recipe and scores the held-out one, so each
crop's score comes from a model that never saw its source. The thresholds are chosen on those
held-out scores, and the report's headline is the WORST source, not the mean: the held-back set
that exposed the shipped model was exactly a set of unseen sources.

Per source: live sources, refused per frame and after the kiosk's temporal rule (median of 5, see
core.liveness.pad.TemporalRule; a group is one capture: a NUAA session, one photo's variants);
attack sources, accepted per frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.benchmark import pad_rates
from training.pad.data import LIVE, REPLAY, SOURCES

# The limits on the worst held-out source.
PRINT_LIMIT, REPLAY_LIMIT, LIVE_LIMIT = 0.05, 0.01, 0.03
BINS = 20


@dataclass(frozen=True)
class SourceRate:
    source: str
    kind: str  # live, print (prints and masks) or replay
    crops: int
    frame: float  # live: refused per frame; attack: accepted per frame
    temporal: float | None  # after the temporal rule (None: no group long enough)


def source_kind(data: dict[str, np.ndarray], source: int) -> str:
    kind = int(data["kind"][data["source"] == source][0])
    return "live" if kind == LIVE else "replay" if kind == REPLAY else "print"


def source_rates(data: dict[str, np.ndarray], scores: np.ndarray, threshold: float) -> list[SourceRate]:
    rows = []
    for s in np.unique(data["source"]):
        sel = data["source"] == s
        kind = source_kind(data, int(s))
        groups: dict[str, list[float | None]] = {}
        for g, v in zip(data["group"][sel], scores[sel]):
            groups.setdefault(str(g), []).append(float(v))
        r = pad_rates({"live" if kind == "live" else kind: groups}, threshold)[0]
        temporal = r.temporal_error if r.temporal_decisions else None
        rows.append(SourceRate(SOURCES[int(s)], kind, int(sel.sum()), r.frame_error, temporal))
    return rows


def worst(rows: list[SourceRate]) -> dict[str, SourceRate]:
    """The worst source of each kind: live by its temporal rate (per frame where it has none),
    attacks by their per-frame acceptance."""
    out = {}
    for kind in ("live", "print", "replay"):
        of_kind = [r for r in rows if r.kind == kind]
        if of_kind:
            key = (lambda r: r.temporal if r.temporal is not None else r.frame) if kind == "live" else None
            out[kind] = max(of_kind, key=key or (lambda r: r.frame))
    return out


def secure_floor(data: dict[str, np.ndarray], scores: np.ndarray, print_limit: float, replay_limit: float) -> float:
    """The lowest threshold (0.01 steps) at which every held-out attack source stays within the
    limits per frame."""
    for t in np.round(np.arange(0.01, 1.0, 0.01), 2):
        rows = source_rates(data, scores, float(t))
        if all(r.frame <= (replay_limit if r.kind == "replay" else print_limit) for r in rows if r.kind != "live"):
            return float(t)
    return 0.99


def histograms(data: dict[str, np.ndarray], scores: np.ndarray) -> dict[str, str]:
    """Counts of held-out live and attack crops' live scores in BINS equal bins over [0, 1]."""
    live = data["kind"] == LIVE
    edges = np.linspace(0, 1, BINS + 1)
    return {
        name: ",".join(str(int(c)) for c in np.histogram(np.clip(scores[sel], 0, 1), edges)[0])
        for name, sel in (("pad.live_hist", live), ("pad.attack_hist", ~live))
    }


def table(name: str, rows: list[SourceRate], threshold: float) -> str:
    lines = [f"{name} at threshold {threshold:.2f}", "source          kind    crops  per frame  after temporal rule"]
    for r in rows:
        what = "refused" if r.kind == "live" else "accepted"
        temporal = f"{100 * r.temporal:6.1f} %" if r.temporal is not None else "   n/a"
        lines.append(f"{r.source:<15} {r.kind:<7} {r.crops:>5}  {100 * r.frame:6.1f} %  {temporal}  ({what})")
    w = worst(rows)
    parts = []
    if "live" in w:
        r = w["live"]
        rate = r.temporal if r.temporal is not None else r.frame
        parts.append(f"live refused {100 * rate:.1f} % ({r.source}, after temporal rule)")
    for kind in ("print", "replay"):
        if kind in w:
            parts.append(f"{kind}s accepted {100 * w[kind].frame:.1f} % ({w[kind].source}, per frame)")
    lines.append(f"WORST SOURCE {name}: " + "; ".join(parts))
    return "\n".join(lines)
