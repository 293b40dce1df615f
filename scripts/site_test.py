"""A site test through the real enrolment and kiosk code: are enrolled people checked in as
themselves, and strangers turned away? A developer harness, not shipped.

    PYTHONPATH=. python scripts/site_test.py ../shared/data/lfw/images [--people 300] [--strangers 300]
        [--verifier off|PATH] [--model M]

The site: --people people of an LFW-style folder (one subfolder of photos per person) who have at
least --enrol-photos + 1 photos, drawn at random (--seed), each enrolled by `Enroller.enrol_photos`
(what `facegate enroll` runs) from their first --enrol-photos photos that pass the enrolment gates.
Then each walks up once to a `Kiosk` (default settings, liveness off: still photos are not live)
with up to --walk-photos of their other photos, one after another, --frames frames each. A walk-up
frame is the photo's central part (so no bystander is in view) on a grey 640x480 camera frame.
Then --strangers people who were never enrolled walk up with one photo each, the same way. Between
walk-ups the kiosk sees an empty frame and its clock moves past the cooldown, so one visit's face
track and events never carry into the next.

Each enrolled person's visit counts as: checked in as themselves (an event for them), as someone
else (an event for another person; both can happen in one visit), or not at all. A stranger counts
when any event is made during their visit. Enrolment and walk-ups all run in an empty temporary
site (FACEGATE_HOME and key file), never the developer's own.

The pipeline is FacePipeline's default: the student, and the bundled verifier unless --verifier off
(which verdicts use it is the kiosk's business: this script only enrols and walks).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

FRAME_SIZE = (640, 480)
GREY = 128
# The share of each side of the photo kept around its centre: LFW's photos are 250 px with the
# face centred and about 100 px wide, so 0.6 keeps the face and leaves most bystanders out.
CENTRAL = 0.6
FPS = 10.0
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")


@dataclass
class Person:
    name: str
    enrol: list[Path]
    walk: list[Path]
    person_id: int | None = None


@dataclass
class Tally:
    visits: int = 0
    themselves: int = 0
    someone_else: int = 0
    not_at_all: int = 0
    wrong_names: list[str] = field(default_factory=list)

    def line(self, label: str, count: int) -> str:
        return f"{label}: {count} of {self.visits} ({100.0 * count / max(self.visits, 1):.1f} %)"


def photos(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in PHOTO_SUFFIXES)


def walk_frame(photo: Path) -> np.ndarray:
    """The photo's central part on a grey camera frame, at the photo's own scale."""
    from core.vision.imaging import load_image

    image = load_image(photo)
    h, w = image.shape[:2]
    ch, cw = round(h * CENTRAL), round(w * CENTRAL)
    top, left = (h - ch) // 2, (w - cw) // 2
    part = image[top : top + ch, left : left + cw][: FRAME_SIZE[1], : FRAME_SIZE[0]]
    frame = np.full((FRAME_SIZE[1], FRAME_SIZE[0], 3), GREY, np.uint8)
    y, x = (FRAME_SIZE[1] - part.shape[0]) // 2, (FRAME_SIZE[0] - part.shape[1]) // 2
    frame[y : y + part.shape[0], x : x + part.shape[1]] = part
    return frame


def enrol_site(enroller, folders: list[Path], count: int, enrol_photos: int, walk_photos: int) -> list[Person]:
    """The first `count` people of `folders` who can be enrolled from enrol_photos photos and keep at
    least one other photo to walk up with."""
    from core.errors import FaceGateError

    people: list[Person] = []
    refused = 0
    for folder in folders:
        if len(people) >= count:
            break
        every = photos(folder)
        usable: list[Path] = []
        for photo in every:
            if len(usable) == enrol_photos:
                break
            if enroller.assess(photo).ok:
                usable.append(photo)
        walk = [p for p in every if p not in usable][:walk_photos]
        if len(usable) < enrol_photos or not walk:
            continue
        name = folder.name.replace("_", " ")
        try:
            result = enroller.enrol_photos(name, usable)
        except FaceGateError as exc:
            # The enrolment checks may refuse a batch (e.g. photos that do not match each other).
            refused += 1
            print(f"  enrolment of {name} refused: {exc}")
            continue
        people.append(Person(name, usable, walk, result.person.id))
        if len(people) % 50 == 0:
            print(f"  enrolled {len(people)} of {count}", flush=True)
    if refused:
        print(f"enrolment refused for {refused} people (not in the site)")
    return people


class Walker:
    """Feeds visits to one kiosk on a simulated clock."""

    def __init__(self, kiosk, frames: int, gap_s: float):
        self.kiosk = kiosk
        self.frames = frames
        self.gap = timedelta(seconds=gap_s)
        self.now = datetime(2030, 1, 7, 8, 0, tzinfo=UTC)
        self.empty = np.full((FRAME_SIZE[1], FRAME_SIZE[0], 3), GREY, np.uint8)
        self.frames_run = 0

    def _step(self, frame: np.ndarray) -> set[int]:
        self.now += timedelta(seconds=1.0 / FPS)
        self.frames_run += 1
        result = self.kiosk.process(frame, now=self.now)
        # A repeat (too soon after the person's check-in to check out) is named as surely as an event.
        return {e.person_id for e in (*result.events, *result.already)}

    def visit(self, walk: Iterable[Path]) -> set[int]:
        """The people checked in while these photos stood in front of the camera."""
        seen: set[int] = set()
        for photo in walk:
            frame = walk_frame(photo)
            for _ in range(self.frames):
                seen |= self._step(frame)
        # Nobody in view, then the clock past the cooldown: the next visit starts afresh.
        seen |= self._step(self.empty)
        self.now += self.gap
        return seen


def run_site(args) -> int:
    from core.enrol.enroller import Enroller
    from core.kiosk.kiosk import Kiosk
    from core.store import Store
    from core.vision.embed import load_embedder
    from core.vision.pipeline import BUNDLED, FacePipeline, model_spec

    root = Path(args.lfw)
    folders = sorted(f for f in root.iterdir() if f.is_dir())
    rng = random.Random(args.seed)
    candidates = [f for f in folders if len(photos(f)) >= args.enrol_photos + 1]
    rng.shuffle(candidates)

    verifier = BUNDLED if args.verifier is None else None if args.verifier == "off" else load_embedder(args.verifier)
    pipeline = FacePipeline(embedder=load_embedder(model_spec(args.model), flip=False), verifier=verifier)
    print(
        f"student {pipeline.embedder.model_id}; verifier "
        f"{pipeline.verifier.model_id if pipeline.verifier is not None else 'off'}"
    )
    store = Store(args.db)
    # Still photos are not live: liveness (and the unlock challenge) would rightly refuse them.
    store.save_settings(replace(store.load_settings(), pad_enabled=False, challenge_enabled=False))
    enroller = Enroller(store, pipeline)

    start = time.perf_counter()
    people = enrol_site(enroller, candidates, args.people, args.enrol_photos, args.walk_photos)
    if len(people) < args.people:
        print(f"only {len(people)} people could be enrolled, not {args.people}")
    enrolled_names = {p.name for p in people}
    strangers = [f for f in folders if f.name.replace("_", " ") not in enrolled_names]
    rng.shuffle(strangers)
    strangers = strangers[: args.strangers]
    print(
        f"enrolled {len(people)} people from {args.enrol_photos} photos each "
        f"({time.perf_counter() - start:.0f} s); {sum(len(p.walk) for p in people)} walk-up photos, "
        f"{len(strangers)} strangers"
    )

    settings = store.load_settings()
    kiosk = Kiosk(store, pipeline, spool=Path(args.home) / "spool", kiosk_id="site-test")
    print(f"kiosk thresholds: {kiosk.thresholds.describe()}")
    walker = Walker(kiosk, args.frames, gap_s=settings.cooldown_s + settings.window_s + 1.0)
    start = time.perf_counter()
    site = Tally()
    for i, person in enumerate(people, 1):
        seen = walker.visit(person.walk)
        site.visits += 1
        others = seen - {person.person_id}
        site.themselves += person.person_id in seen
        site.someone_else += bool(others)
        site.not_at_all += not seen
        if others:
            site.wrong_names.append(f"{person.name} as #{sorted(others)}")
        if i % 50 == 0:
            print(f"  walked {i} of {len(people)} ({walker.frames_run / (time.perf_counter() - start):.1f} frames/s)")
    crowd = Tally()
    for i, folder in enumerate(strangers, 1):
        seen = walker.visit(photos(folder)[:1])
        crowd.visits += 1
        crowd.someone_else += bool(seen)
        if seen:
            crowd.wrong_names.append(f"{folder.name} as #{sorted(seen)}")
        if i % 50 == 0:
            print(f"  strangers {i} of {len(strangers)}")
    seconds = time.perf_counter() - start
    print(f"{walker.frames_run} kiosk frames in {seconds:.0f} s ({walker.frames_run / seconds:.1f} frames/s)")
    for line in site.wrong_names + crowd.wrong_names:
        print(f"  wrong: {line}")
    print(site.line("checked in as themselves", site.themselves))
    print(site.line("checked in as someone else", site.someone_else))
    print(site.line("not checked in", site.not_at_all))
    print(crowd.line("strangers checked in", crowd.someone_else))
    store.close()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("lfw", help="photos, one folder per person (LFW's images/)")
    parser.add_argument("--people", type=int, default=300, help="people enrolled")
    parser.add_argument("--strangers", type=int, default=300, help="people never enrolled who walk up")
    parser.add_argument("--enrol-photos", type=int, default=3, help="photos each person is enrolled from")
    parser.add_argument("--walk-photos", type=int, default=5, help="most other photos each person walks up with")
    parser.add_argument("--frames", type=int, default=5, help="frames each walk-up photo stays in view")
    parser.add_argument("--model", help="the student (default: the bundled one, or FACEGATE_MODEL)")
    parser.add_argument("--verifier", help="'off', or a verifier model (default: the bundled one)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="facegate-site-") as home:
        # An empty site of its own: the developer's database and key are never touched.
        os.environ["FACEGATE_HOME"] = home
        os.environ["FACEGATE_KEY_FILE"] = str(Path(home) / "facegate.key")
        args.home = home
        args.db = f"sqlite:///{Path(home, 'site.db').as_posix()}"
        return run_site(args)


if __name__ == "__main__":
    sys.exit(main())
