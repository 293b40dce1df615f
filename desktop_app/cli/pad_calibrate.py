"""`facegate liveness --calibrate SRC`: record live people on the site's camera and propose the
site's liveness threshold (core/liveness/calibrate.py); --apply saves it behind the admin PIN."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

from core.errors import FaceGateError
from desktop_app.cli.common import open_store, pad_model, require_pin

if TYPE_CHECKING:
    from core.liveness.calibrate import Calibration

BAR = 24


def calibrate_liveness(args: argparse.Namespace) -> int:
    from core.liveness.calibrate import CALIBRATE_S, LiveScores
    from desktop_app.capture import open_source

    if args.apply and args.pad_model:
        raise FaceGateError(
            "--apply saves a threshold for the bundled liveness model the kiosk runs: leave out --pad-model"
        )
    pad = pad_model(args)
    if args.apply:
        # Asked before the minute in front of the camera, not after it.
        with open_store() as store:
            require_pin(store)
    seconds = args.seconds or CALIBRATE_S
    collector = LiveScores(pad)
    with open_source(args.calibrate) as source:
        print(
            f"recording {source.name} for {seconds:g} s: live people only, one at a time, facing the camera "
            "and moving a little",
            file=sys.stderr,
            flush=True,
        )
        deadline = time.monotonic() + seconds
        for frame in source:
            collector.feed(frame)
            if time.monotonic() >= deadline:
                break
    result = collector.result()
    print("\n".join(result.summary()))
    if result.scores:
        print("\n".join(text_histogram(result)))
    if result.refusal:
        raise FaceGateError(f"{result.refusal}; nothing was changed")
    assert result.proposal is not None  # no refusal: a proposal
    if not args.apply:
        print("nothing was changed: add --apply to save this threshold")
        return 0
    with open_store() as store:
        result.apply(store, actor="cli")
    print(f"saved: the kiosk now judges a face live from a score of {result.proposal:.3f}")
    return 0


def text_histogram(result: Calibration) -> list[str]:
    """Live scores seen here beside the attack scores the model ships, in its bins, as shares of
    each; the rows holding the secure floor and the proposal are marked."""
    from core.liveness.pad import HIST_BINS

    series = [("live (this camera)", result.live_hist)]
    if result.attack_hist is not None:
        series.append(("attacks (shipped with the model)", result.attack_hist))
    lines = [f"{'score':<10}" + "".join(f"{name:<{BAR + 9}}" for name, _ in series)]
    marks = [("secure floor", result.floor), ("proposal", result.proposal)]
    for i in range(HIST_BINS):
        low, high = i / HIST_BINS, (i + 1) / HIST_BINS
        row = f"{low:.2f}-{high:.2f} "
        for _, counts in series:
            share = counts[i] / max(sum(counts), 1)
            peak = max(counts) / max(sum(counts), 1)
            bar = "#" * round(BAR * share / peak) if peak else ""
            row += f"{bar:<{BAR}} {100 * share:5.1f}%  "
        hits = [f"{name} {value:.3f}" for name, value in marks if value is not None and _in_bin(value, i)]
        lines.append(row.rstrip() + (f"  <- {', '.join(hits)}" if hits else ""))
    if result.attack_hist is None:
        lines.append("the model ships no attack scores: live scores only")
    return lines


def _in_bin(value: float, index: int) -> bool:
    from core.liveness.pad import HIST_BINS

    return min(int(value * HIST_BINS), HIST_BINS - 1) == index
