"""`facegate enroll` (also `enrol`) and `facegate people`: who the kiosks know."""

from __future__ import annotations

import argparse
import sys

from core.errors import FaceGateError
from desktop_app.cli.common import face_pipeline, open_store, person_by_id, require_pin
from desktop_app.cli.options import label, model_options, number


def add_enroll(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "enroll",
        aliases=["enrol"],  # the spelling the app's own screens use
        parents=[model_options()],
        help="enrol a person from photos (adds to them if NAME exists); asks for the admin PIN once one is set",
        epilog="With --person-id ID, give only photos: facegate enroll --person-id 7 IMG... "
        "Options may come anywhere: facegate enroll NAME --group staff IMG...",
    )
    # NAME is checked as a name in enroll(): with --person-id it is the first photo.
    p.add_argument("name", metavar="NAME")
    p.add_argument("images", nargs="*", metavar="IMG")
    p.add_argument(
        "--person-id", type=number(int, 1), metavar="ID", help="add the photos to person ID (see facegate people)"
    )
    p.add_argument("--group", type=label("group"))
    p.add_argument("--external-id", type=label("external id"))
    p.set_defaults(func=enroll, positional_tail="images")


def add_people(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("people", parents=[model_options()], help="list the enrolled people")
    p.set_defaults(func=people)


def enroll(args: argparse.Namespace) -> int:
    from core.enrol.enroller import Enroller
    from core.store.labels import clean_label

    images = args.images
    if args.person_id is None and not images:
        raise FaceGateError("give the person's NAME and at least one photo: facegate enroll NAME IMG...")
    if args.person_id is None:
        args.name = clean_label(args.name, "name")
    with open_store() as store:
        require_pin(store)
        if args.person_id is not None:  # then every positional argument is a photo
            images = [args.name, *images]
            name = person_by_id(store, args.person_id).name
        else:
            name = args.name
        result = Enroller(store, face_pipeline(args)).enrol_photos(
            name, images, group=args.group, external_id=args.external_id, person_id=args.person_id
        )
    for outcome in result.outcomes:
        print(f"{outcome.path}: {'ok' if outcome.ok else outcome.reason}")
    for match in result.duplicates:
        print(f"warning: {name} already looks like {match.name} (similarity {match.similarity:.2f})", file=sys.stderr)
    verb = "enrolled" if result.created else "added to"
    print(f"{verb} {result.person.name} (#{result.person.id}): {len(result.template_ids)} templates")
    return 0


def people(args: argparse.Namespace) -> int:
    from core.vision.embed import load_embedder
    from core.vision.pipeline import model_spec

    with open_store(read_only=True) as store:
        everyone = store.list_people(include_inactive=True)
        stale = {t.person_id for t in store.stale_templates(load_embedder(model_spec(args.model)).model_id)}
    for p in everyone:
        flags = [flag for flag, on in (("inactive", not p.active), ("stale templates", p.id in stale)) if on]
        print(f"#{p.id}\t{p.name}\t{p.external_id or '-'}\t{p.group or '-'}\t{', '.join(flags)}".rstrip())
    if not everyone:
        print("nobody is enrolled yet: facegate enroll NAME PHOTO...", file=sys.stderr)
    return 0
