"""The kiosk loop body: one frame in, who is there and which events were committed out.

The Qt frame worker and `facegate checkin` / `facegate unlock` all run this class, so the app and
the command line decide identically.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import cast

import numpy as np

from core.errors import FaceGateError, StoreError, StoreUnavailable
from core.i18n import QT_TRANSLATE_NOOP
from core.kiosk.evidence import Sighting, TrackEvidence
from core.kiosk.rules import AttendanceRules, UnlockRules, Verdict
from core.kiosk.spool import Spool
from core.liveness.challenge import NO_TURN, NOT_LIVE, WRONG_WAY, HeadTurnChallenge
from core.liveness.gate import FaceLiveness, LivenessGate
from core.liveness.pad import PadModel
from core.matching.cascade import Cascade
from core.matching.thresholds import Thresholds
from core.store import CheckinRule, Store
from core.types import CHECK_IN, UNLOCK, Event, EventKind, Face, Match
from core.vision.pipeline import FacePipeline

log = logging.getLogger(__name__)

# Faces beyond the largest few are people walking past; embedding them would only cost frames.
MAX_FACES = 4
ADMIN_GROUP = "admin"
# What the kiosk tells the person at the camera; the GUI shows them translated (core/i18n.py).
PRESS_IN_OR_OUT = QT_TRANSLATE_NOOP("Kiosk", "press In or Out (keys I / O), then look at the camera")
STEP_OUT = QT_TRANSLATE_NOOP("Kiosk", "not unlocked: please step out of view, then come back to try again")
# Each reason a head-turn challenge fails for, as one whole sentence a translator can word freely.
NOT_UNLOCKED = {
    NO_TURN: QT_TRANSLATE_NOOP("Kiosk", "not unlocked: no head turn in time; please try again"),
    WRONG_WAY: QT_TRANSLATE_NOOP("Kiosk", "not unlocked: the head turned the other way; please try again"),
    NOT_LIVE: QT_TRANSLATE_NOOP("Kiosk", "not unlocked: a photo or screen cannot unlock; please try again"),
}
ALREADY_CHECKED_IN = QT_TRANSLATE_NOOP("Kiosk", "{name} — already checked in at {time}")
ALREADY_CHECKED_OUT = QT_TRANSLATE_NOOP("Kiosk", "{name} — already checked out at {time}")
# How often a kiosk asks the database whether people or settings changed (another kiosk enrolled
# someone): well inside the 5 s a site expects, and one tiny query.
POLL_S = 2.0
# While the database is unreachable, how long to keep recognising before trying it again.
OFFLINE_RETRY_S = 3.0
CHALLENGE_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class SeenFace:
    box: np.ndarray
    person_id: int | None
    name: str | None
    similarity: float
    # None: liveness not judged yet for this face (or turned off: then True).
    live: bool | None = None
    # Why liveness refuses it (FaceLiveness.refusal), for `checkin -v`.
    refusal: str | None = None

    @property
    def known(self) -> bool:
        return self.person_id is not None


@dataclass(frozen=True)
class KioskResult:
    """events were committed to the Store before this result was made (unlock events also while
    offline: the door opens, the event waits in the spool); error says why events are waiting
    (they are sent once the database answers); waiting counts them."""

    frame: np.ndarray
    faces: tuple[SeenFace, ...]
    events: tuple[Event, ...]
    fps: float
    time: datetime
    error: str | None = None
    waiting: int = 0
    # For the status bar: both models (Cascade.models) and the thresholds each uses (Cascade.describe).
    models: str | None = None
    model_thresholds: str | None = None
    # hint: what a person in front of the kiosk should do (a photo refused, come closer);
    # prompt: the unlock challenge waiting for a head turn.
    hint: str | None = None
    prompt: str | None = None
    # Attendance: for each person seen again within the cooldown, or too soon after their check-in
    # to check out, the event that stands ("already checked in at 08:12", already_said); and in
    # buttons mode the direction chosen for the next person (None: none yet), else None.
    already: tuple[Event, ...] = ()
    direction: EventKind | None = None
    buttons: bool = False


def already_said(
    earlier: Event,
    translate: Callable[[str], str] = lambda text: text,
    time_text: Callable[[datetime], str] = lambda when: f"{when:%H:%M}",
) -> str:
    """What the kiosk tells a person it recognised again: the event of theirs that stands. The
    command line says it in English with a 24-hour time; the GUI passes its translation and its
    locale's time format."""
    template = ALREADY_CHECKED_IN if earlier.kind == CHECK_IN else ALREADY_CHECKED_OUT
    return translate(template).format(name=earlier.name, time=time_text(earlier.time.astimezone()))


class FpsMeter:
    """Frames per second over the last `window` frames."""

    def __init__(self, window: int = 30):
        self._ticks: deque[float] = deque(maxlen=window + 1)

    def tick(self) -> float:
        self._ticks.append(time.perf_counter())
        if len(self._ticks) < 2:
            return 0.0
        return (len(self._ticks) - 1) / max(self._ticks[-1] - self._ticks[0], 1e-9)


def unlock_people(store: Store, name: str | None = None, person_id: int | None = None) -> list[int]:
    """Person person_id, or the person called name, or, without either, every active member of the admin group."""
    if person_id is not None or name:
        person = store.get_person(person_id) if person_id is not None else store.find_person_by_name(name or "")
        if person is None or not person.active:
            who = f"person #{person_id} is" if person_id is not None else f"nobody called {name!r} is"
            raise FaceGateError(f"{who} enrolled and active: see facegate people")
        return [person.id]
    admins = [p.id for p in store.list_people() if (p.group or "").casefold() == ADMIN_GROUP]
    if not admins:
        raise FaceGateError(f"nobody is in the {ADMIN_GROUP!r} group: choose a person to unlock for")
    return admins


class Kiosk:
    """Attendance by default; with unlock_for, unlock mode for those people only (stricter
    threshold). Each face track earns one verdict from its recent frames (core/kiosk/evidence.py),
    checked by the verifier when the pipeline has one and the settings ask for it."""

    def __init__(
        self,
        store: Store,
        pipeline: FacePipeline,
        unlock_for: Collection[int] | None = None,
        spool: Path | None = None,
        poll_s: float = POLL_S,
        kiosk_id: str | None = None,
        pad_model: str | None = None,
    ):
        """spool: the folder where confirmed events wait for the database (default: store.local_folder()/spool);
        kiosk_id: overrides the Settings one (several kiosk processes on one machine);
        pad_model: the liveness model (default: the bundled one)."""
        self.store = store
        self.pipeline = pipeline
        self.unlock_for = frozenset(unlock_for) if unlock_for is not None else None
        self.spool = Spool(spool or store.local_folder() / "spool")
        self.poll_s = poll_s
        self.kiosk_id = kiosk_id
        self._pad_spec = pad_model
        self._pad: PadModel | None = None
        self._challenge: HeadTurnChallenge | None = None
        self._challenge_track: int | None = None
        self._challenge_event: Event | None = None
        # A face track gets one challenge: a replayed video that moves its head at random would
        # otherwise pass one prompt in two by trying again and again.
        self._challenged: set[int] = set()
        self._stale = threading.Event()
        # uids this kiosk spooled: another process sharing the spool folder may send our files
        # (and we theirs), but each kiosk confirms only the people it recognised itself.
        self._mine: set[str] = set()
        self._fps = FpsMeter()
        # Each person's attendance event this kiosk last learned of (stored, or the earlier one that
        # made a sighting a repeat), and the repeats the database found for this kiosk's sightings.
        self._known: dict[int, Event] = {}
        self._repeated: list[Event] = []
        self._next_poll = self._retry_at = 0.0
        self.reload()

    @property
    def unlock_mode(self) -> bool:
        return self.unlock_for is not None

    @property
    def thresholds(self) -> Thresholds:
        """The deciding model's thresholds for the gallery enrolled now (the cascade owns them)."""
        return self.cascade.thresholds

    @property
    def threshold(self) -> float:
        """The score a verdict must reach in this mode."""
        return self.cascade.threshold

    def choose(self, direction: EventKind | None) -> None:
        """Buttons mode: the next person recognised is recorded as this direction (check-in or
        check-out; None takes the choice back). Safe from any thread."""
        if isinstance(self.rules, AttendanceRules):
            self.rules.choose(direction)

    def invalidate(self) -> None:
        """Enrolment or settings changed; safe from any thread, applied before the next frame."""
        self._stale.set()

    def reload(self) -> None:
        self._stale.clear()
        revision = self.store.revision()
        self.settings = self.store.load_settings()
        if self.kiosk_id is not None:
            self.settings = replace(self.settings, kiosk_id=self.kiosk_id)
        # The thresholds follow the number of templates enrolled now (core/matching/thresholds.py).
        self.cascade = Cascade(self.store, self.pipeline, self.settings, unlock=self.unlock_for is not None)
        self.liveness = LivenessGate(self._pad_model() if self.settings.pad_enabled else None)
        self.evidence = TrackEvidence(self.settings.consecutive_frames, self.settings.window_s)
        self._challenge = None
        if self.unlock_for is not None:
            self.rules: AttendanceRules | UnlockRules = UnlockRules.from_settings(self.settings, self.unlock_for)
        else:
            self.rules = AttendanceRules.from_settings(self.settings)
        self.revision = revision  # last: a reload the database broke off is tried again

    def _follow_site(self) -> None:
        """Reloads when this process, or any kiosk or admin screen of the site, changed something."""
        clock = time.monotonic()
        if clock < self._retry_at or (clock < self._next_poll and not self._stale.is_set()):
            return
        self._next_poll = clock + self.poll_s
        try:
            if self._stale.is_set() or self.store.revision() != self.revision:
                self.reload()
        except StoreUnavailable:
            self._retry_at = time.monotonic() + OFFLINE_RETRY_S  # keep recognising with what we have

    def process(self, frame: np.ndarray, now: datetime | None = None) -> KioskResult:
        self._follow_site()
        now = now or datetime.now(timezone.utc)
        faces = self.pipeline.faces(frame, max_faces=MAX_FACES, min_face=self.settings.min_face)
        # pipeline.faces embeds every face it returns.
        embeddings = cast(list[np.ndarray], [f.embedding for f in faces])
        guesses = self.cascade.overlay(np.stack(embeddings)) if faces else []
        judged, hint = self.liveness.update(now, frame, faces)
        verdicts, shown = self._verdicts(now, frame, faces, guesses, judged)
        seen = tuple(
            SeenFace(f.box, m.person_id, m.name, m.similarity, j.live, j.refusal)
            for f, m, j in zip(faces, shown, judged)
        )
        confirmed = self.rules.update(now, verdicts)
        for m, j in zip(shown, judged):
            if j.new_attack:
                self._audit_attack(m, j)
        hint = hint or next((j.hint for j in judged if j.hint), None)
        if self.unlock_mode and self.settings.challenge_enabled:
            confirmed, hint = self._challenge_step(now, confirmed, verdicts, faces, judged, hint)
        for e in confirmed:
            self.spool.put(e)  # on disk before anything else: a crash from here on loses nothing
            self._mine.add(e.uid)
        committed, error = self.send_spooled()
        attendance = self.rules if isinstance(self.rules, AttendanceRules) else None
        repeats = attendance.repeats if attendance is not None else []
        already = [self._known[pid] for pid in repeats if pid in self._known] + self._repeated
        self._repeated = []
        if attendance is not None and attendance.needs_direction:
            hint = hint or PRESS_IN_OR_OUT
        # An unlock opens the door now, stored or not; one sent late from the spool must not open it again.
        events = tuple(e for e in committed if e.kind != UNLOCK) + tuple(e for e in confirmed if e.kind == UNLOCK)
        prompt = self._challenge.state.prompt if self._challenge else None
        return KioskResult(
            frame,
            seen,
            events,
            self._fps.tick(),
            now,
            error,
            len(self.spool),
            self.cascade.models(),
            self.cascade.describe(),
            hint,
            prompt,
            tuple(already),
            attendance.choice if attendance is not None else None,
            attendance is not None and attendance.buttons,
        )

    def _verdicts(
        self,
        now: datetime,
        frame: np.ndarray,
        faces: Sequence[Face],
        guesses: Sequence[Match],
        judged: Sequence[FaceLiveness],
    ) -> tuple[list[Verdict], list[Match]]:
        """The tracks named this frame, and what to show on each face: its track's verdict once
        named, else the student's guess for this frame alone."""
        self.evidence.prune(self.liveness.tracker.active())
        verify = self._verify if self.cascade.verifier is not None else None
        verdicts, shown = [], []
        for face, guess, j in zip(faces, guesses, judged):
            # A face not judged live adds no evidence; one judged an attack loses what it had.
            if j.live is False:
                self.evidence.forget(j.track)
            elif j.live:
                self.evidence.add(j.track, now, face, frame)
            verdict = self.evidence.decide(j.track, self.cascade.decide, verify) if j.live else None
            if verdict is not None and verdict.person_id is not None:
                verdicts.append(Verdict(j.track, verdict))
                shown.append(verdict)
            else:
                # A track the verifier refused shows no name, whatever the student guesses.
                shown.append(Match(None, guess.similarity) if verdict is not None else guess)
        return verdicts, shown

    def _verify(self, sighting: Sighting) -> np.ndarray:
        return self.pipeline.verify_embed(sighting.frame, [sighting.face])[0]

    def _pad_model(self) -> PadModel:
        # Loaded once: a settings change only moves its threshold.
        if self._pad is None:
            self._pad = PadModel(self._pad_spec)
        self._pad.strictness = self.settings.pad_strictness
        try:
            self._pad.site_threshold = self.settings.pad_threshold
        except FaceGateError as exc:
            # Calibrated for another model whose floor was lower: the strictness's threshold stands.
            log.warning("%s; using the %s liveness threshold instead", exc, self.settings.pad_strictness)
            self._pad.site_threshold = None
        return self._pad

    def _audit_attack(self, match: Match, judged: FaceLiveness) -> None:
        who = match.name if match.person_id is not None else "an unknown face"
        detail = f"photo or screen refused: looked like {who} (live score {judged.score:.2f}, kiosk {self.settings.kiosk_id})"
        try:
            # Audited, and queued for the attack actions, in one step.
            self.store.record_attack(self.settings.kiosk_id, match.person_id, match.similarity, detail)
        except StoreError as exc:
            log.warning("could not audit presentation attack: %s", exc)

    def _audit_quietly(self, action: str, detail: str) -> None:
        try:
            self.store.audit("kiosk", action, detail)
        except StoreError as exc:
            # What is audited does not depend on the log; a locked database must not stop the kiosk.
            log.warning("could not audit %s: %s", action, exc)

    def _challenge_step(
        self,
        now: datetime,
        events: list[Event],
        verdicts: Sequence[Verdict],
        faces: Sequence[Face],
        judged: Sequence[FaceLiveness],
        hint: str | None,
    ) -> tuple[list[Event], str | None]:
        """Holds a confirmed unlock back until the same face turns its head as a random prompt asks."""
        if self._challenge is None:
            if events:
                event = events[0]
                track = next(v.track for v in verdicts if v.match.person_id == event.person_id)
                self._challenged &= self.liveness.tracker.active()
                if track in self._challenged:
                    return [], STEP_OUT
                self._challenged.add(track)
                self._challenge_track, self._challenge_event = track, event
                self._challenge = HeadTurnChallenge.random(now, CHALLENGE_TIMEOUT_S)
            elif any(v.track in self._challenged for v in verdicts):
                # The rules unlock a track once; a face that failed its prompt is told why nothing happens.
                return [], STEP_OUT
            return [], hint
        index = next((i for i, j in enumerate(judged) if j.track == self._challenge_track), None)
        if index is not None and judged[index].live is False:
            state = self._challenge.fail(NOT_LIVE)
        else:
            state = self._challenge.update(now, faces[index].landmarks if index is not None else None)
        if state.status == "pending":
            return [], hint
        held, self._challenge = self._challenge_event, None
        if state.status == "passed" and held is not None:
            return [replace(held, time=now)], hint
        return [], NOT_UNLOCKED[state.reason or NO_TURN]

    def send_spooled(self) -> tuple[tuple[Event, ...], str | None]:
        """Sends the waiting events, oldest first; the ones the database kept (the Store drops a
        sighting within the cooldown of an event any kiosk recorded), and why some still wait."""
        if not self.spool or time.monotonic() < self._retry_at:
            return (), ("database unreachable; events wait in the spool" if self.spool else None)
        committed: list[Event] = []
        pending, set_aside = self.spool.pending()
        for note in set_aside:
            self._audit_quietly("spool file set aside", note)
        said = "; ".join(set_aside) or None  # once: a file set aside is not read again
        for path, e in pending:
            try:
                if e.kind == UNLOCK:
                    self.store.record_event(e)
                    stored: Event | None = e
                else:
                    # The Store decides check-in, check-out or a repeat; days turn at this machine's
                    # midnight (tz None), the kiosk's own zone, since the Store runs in its process.
                    outcome = self.store.record_attendance(e, CheckinRule.from_settings(self.settings), tz=None)
                    stored = outcome.stored
                    if outcome.earlier is not None:
                        self._known[e.person_id] = outcome.earlier
                        if e.uid in self._mine:
                            self._repeated.append(outcome.earlier)
            except StoreUnavailable as exc:
                self._retry_at = time.monotonic() + OFFLINE_RETRY_S
                if self.spool.write_problem:
                    return tuple(committed), (
                        f"events not saved: {self.spool.write_problem} and the database is unreachable ({exc}); "
                        "they are held in memory only: free the disk or restore the database before FaceGate stops"
                    )
                return tuple(committed), f"not saved yet, waiting in the spool: {exc}"
            except StoreError as exc:  # e.g. the person was deleted meanwhile: keeping it cannot help
                self.spool.done(path, e)
                return tuple(committed), f"event dropped: {exc}"
            self.spool.done(path, e)
            if stored is not None and stored.kind != UNLOCK:
                self._known[stored.person_id] = stored
            if stored is not None and e.uid in self._mine:
                committed.append(stored)
            self._mine.discard(e.uid)
        return tuple(committed), said
