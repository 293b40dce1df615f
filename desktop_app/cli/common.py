"""What several commands open the same way: the store, the face pipeline, the liveness model, and
the admin PIN that guards changes to people and attendance exports."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from core.errors import FaceGateError

if TYPE_CHECKING:
    from core.liveness.pad import PadModel
    from core.store import Person, Store
    from core.vision.pipeline import FacePipeline


def open_store(read_only: bool = False) -> Store:
    from core.store import Store

    return Store.for_reading() if read_only else Store()


def face_pipeline(args: argparse.Namespace, min_face: int | None = None) -> FacePipeline:
    from core.vision.detect import Detector
    from core.vision.embed import load_embedder
    from core.vision.pipeline import FacePipeline, model_spec, verifier_spec

    detector = Detector() if min_face is None else Detector(min_face=min_face)
    # Both models load (and a wrong one is refused) before any command opens or writes anything.
    verifier = None if args.no_verifier else load_embedder(verifier_spec(args.verifier))
    return FacePipeline(detector, load_embedder(model_spec(args.model)), verifier)


def pad_model(args: argparse.Namespace, threads: int = 1) -> PadModel:
    from core.liveness.pad import PadModel

    return PadModel(args.pad_model, threads=threads, strictness=args.strictness)


def require_pin(store: Store, always: bool = False) -> None:
    """Commands that change people or export attendance take the admin PIN once one is set:
    FACEGATE_ADMIN_PIN for scripts, else asked for without echo. always: the command needs a PIN
    even before one is set (attendance corrections), so it is refused until one is."""
    import getpass

    from core.store.pin import check_pin

    if store.load_settings().admin_pin_hash is None:
        if always:
            raise FaceGateError(
                "corrections need the admin PIN and none is set: set one on the app's Settings page "
                "(Change admin PIN…) or with facegate admin reset-pin"
            )
        return
    pin = os.environ.get("FACEGATE_ADMIN_PIN")
    if pin is None:
        if not sys.stdin.isatty():
            raise FaceGateError("an admin PIN is set: type it at a terminal, or set FACEGATE_ADMIN_PIN for scripts")
        pin = getpass.getpass("Admin PIN: ")
    check_pin(store, pin, actor="cli")


def person_by_id(store: Store, person_id: int) -> Person:
    person = store.get_person(person_id)
    if person is None:
        raise FaceGateError(f"there is no person #{person_id}: see facegate people")
    return person


def named_person(store: Store, text: str) -> Person:
    """PERSON as the admin typed it: #7 (or 7) by id, else by name."""
    digits = text.removeprefix("#")
    if digits.isdigit():
        return person_by_id(store, int(digits))
    person = store.find_person_by_name(text)
    if person is None:
        raise FaceGateError(f"nobody called {text!r} is enrolled: see facegate people")
    return person
