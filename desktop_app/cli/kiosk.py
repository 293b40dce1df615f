"""`facegate checkin` and `facegate unlock`: the kiosk loop without a screen."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

from core.errors import FaceGateError
from desktop_app.cli.common import face_pipeline, open_store
from desktop_app.cli.options import camera_options, label, model_options, number
from desktop_app.messages import no_templates_message

if TYPE_CHECKING:
    from core.actions.hub import EventActions
    from core.kiosk.kiosk import Kiosk, KioskResult
    from core.store import Store
    from core.types import Event


def add_checkin(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "checkin",
        parents=[model_options(), camera_options()],
        help="headless kiosk: print each check-in as it is stored",
    )
    p.add_argument(
        "--once", action="store_true", help="exit after the first check-in (exit 1 if the source ends first)"
    )
    p.add_argument("--stats", action="store_true", help="print the thresholds used, then fps=N.N as the last line")
    p.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="also say, with the time, each face turned away and why (photo or screen, frozen frame, "
        "face too small, unknown face), on standard error",
    )
    p.add_argument(
        "--direction",
        choices=("in", "out"),
        help="with checkin_mode buttons: record everyone recognised as checking in or out (a door each way)",
    )
    p.set_defaults(func=checkin)


def add_unlock(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "unlock",
        parents=[model_options(), camera_options()],
        help="exit 0 once PERSON is recognised, 1 otherwise",
    )
    p.add_argument("--person", type=label("name"), help="who may unlock (default: anyone in the 'admin' group)")
    p.add_argument("--person-id", type=number(int, 1), metavar="ID", help="who may unlock, by id (see facegate people)")
    p.add_argument(
        "--timeout", type=number(float, 0.1), default=10.0, metavar="S", help="give up after S seconds (default 10)"
    )
    p.set_defaults(func=unlock)


def _camera(args: argparse.Namespace, store: Store) -> str:
    return args.camera if args.camera is not None else store.load_settings().camera_source


def _event_actions(store: Store) -> EventActions:
    from core.actions.hub import EventActions

    return EventActions(store, on_problem=lambda message: print(f"facegate: {message}", file=sys.stderr, flush=True))


def _describe(event: Event) -> str:
    return (
        f"{event.kind}: {event.name} at {event.time.astimezone():%Y-%m-%d %H:%M:%S} "
        f"similarity={event.similarity:.3f} kiosk={event.kiosk_id}"
    )


def _warn_without_templates(kiosk: Kiosk, store: Store, model: str | None) -> None:
    """A model nobody has templates of recognises nobody: say so, and how to make them."""
    cascade = kiosk.cascade
    models = [(cascade.student_model, cascade.student_thresholds)]
    if cascade.verifier_model is not None and cascade.verifier_thresholds is not None:
        models.append((cascade.verifier_model, cascade.verifier_thresholds))
    empty = [model.model_id for model, thresholds in models if thresholds.gallery_size == 0]
    if empty and store.list_people():
        upgrade = f"facegate{f' --model {model}' if model else ''} people upgrade"
        print(f"facegate: {no_templates_message(empty, upgrade)}", file=sys.stderr, flush=True)


def _tell_refusals(result: KioskResult, told: tuple[str, ...]) -> tuple[str, ...]:
    """Prints why this frame's faces count for nothing, when that differs from the last frame's."""
    reasons = tuple(
        face.refusal or f"unknown face (similarity {face.similarity:.2f})"
        for face in result.faces
        if face.refusal or (face.live and not face.known)
    )
    kinds = tuple(reason.split(" (")[0] for reason in reasons)
    if reasons and kinds != told:
        print(f"{result.time.astimezone():%H:%M:%S} not checked in: {'; '.join(reasons)}", file=sys.stderr, flush=True)
    return kinds


def checkin(args: argparse.Namespace) -> int:
    from core.kiosk.kiosk import Kiosk, already_said
    from core.types import CHECK_IN, CHECK_OUT
    from desktop_app.capture import open_source

    checked_in = False
    told: set[str] = set()
    frames = 0
    last_error = None
    pipeline = face_pipeline(args)  # a bad model is refused before the database is opened
    with open_store() as store, _event_actions(store) as actions:
        kiosk = Kiosk(store, pipeline)
        refused: tuple[str, ...] = ()
        buttons = kiosk.settings.checkin_mode == "buttons"
        if buttons != (args.direction is not None):
            raise FaceGateError(
                "checkin_mode is buttons: give --direction in or out"
                if buttons
                else "--direction needs checkin_mode buttons (facegate settings set checkin_mode buttons)"
            )
        try:
            with open_source(_camera(args, store), realtime=args.realtime) as source:
                # Once the source plays: a source that cannot is the one thing to say.
                _warn_without_templates(kiosk, store, args.model)
                start = time.perf_counter()
                for frame in source:
                    if args.direction:
                        kiosk.choose(CHECK_IN if args.direction == "in" else CHECK_OUT)
                    result = kiosk.process(frame)
                    actions.handle(result.events)
                    frames += 1
                    if result.error and result.error != last_error:  # once, not every frame while offline
                        print(f"facegate: {result.error}", file=sys.stderr)
                    last_error = result.error
                    if args.verbose:
                        refused = _tell_refusals(result, refused)
                    for event in result.events:
                        # Printed only once the Store has committed it: a script may rely on the line.
                        print(_describe(event), flush=True)
                        checked_in = True
                    for earlier in result.already:
                        if earlier.uid not in told:  # once: --direction presses the button every frame
                            print(already_said(earlier), flush=True)
                            told.add(earlier.uid)
                    if args.once and checked_in:
                        break
        except KeyboardInterrupt:
            pass
    if args.stats and frames:
        print(kiosk.cascade.models())
        print(kiosk.cascade.describe())
        print(f"fps={frames / max(time.perf_counter() - start, 1e-9):.1f}")
    if args.once and not checked_in:
        hint = "" if args.verbose else "; -v says why each face was turned away"
        print(f"no check-in before the source ended{hint}", file=sys.stderr)
        return 1
    return 0


def unlock(args: argparse.Namespace) -> int:
    from core.kiosk.kiosk import Kiosk, unlock_people
    from desktop_app.capture import open_source

    pipeline = face_pipeline(args)
    deadline = time.monotonic() + args.timeout
    with open_store() as store, _event_actions(store) as actions:
        kiosk = Kiosk(store, pipeline, unlock_for=unlock_people(store, args.person, args.person_id))
        with open_source(_camera(args, store), realtime=args.realtime) as source:
            said = None
            for frame in source:
                result = kiosk.process(frame)
                actions.handle(result.events)  # the door actions run now; leaving waits for them
                if result.events:
                    print(_describe(result.events[0]), flush=True)
                    return 0
                # The challenge prompt and liveness hints are for the person at the camera.
                message = result.prompt or result.hint
                # Said once while it holds: frames with nothing to say come between its repeats.
                if message and message != said:
                    print(message, file=sys.stderr, flush=True)
                    said = message
                if time.monotonic() > deadline:
                    break
    chosen = args.person or (f"#{args.person_id}" if args.person_id is not None else None)
    who = f"{chosen} was not" if chosen else "no member of the 'admin' group was"
    print(f"not unlocked: {who} recognised, judged live and seen turning as asked in time", file=sys.stderr)
    return 1
