"""`facegate enroll` (also `enrol`) and `facegate people`: who the kiosks know, and their templates."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from core.errors import FaceGateError
from desktop_app.cli import people_io
from desktop_app.cli.common import face_pipeline, open_store, person_by_id, require_pin
from desktop_app.cli.options import label, model_options, number

if TYPE_CHECKING:
    from core.store import Person, Store


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
    p.add_argument("name", metavar="NAME", help='the person\'s name, in quotes if it has spaces ("Ada Lovelace")')
    p.add_argument("images", nargs="*", metavar="IMG", help="photos of that person, one face each, 80 px or larger")
    p.add_argument(
        "--person-id", type=number(int, 1), metavar="ID", help="add the photos to person ID (see facegate people)"
    )
    p.add_argument("--group", type=label("group"), help="a group such as staff; 'admin' may arm Unlock for anyone")
    p.add_argument(
        "--external-id", type=label("external id"), help="your own id for the person (staff number), in the CSV export"
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="enrol photos the verifier refused (unlike the person, or like someone else enrolled); audited",
    )
    p.set_defaults(func=enroll, positional_tail="images")


def add_people(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("people", parents=[model_options()], help="list the enrolled people; manage their templates")
    p.set_defaults(func=people)
    jobs = p.add_subparsers(dest="job", metavar="{templates,remove-template,upgrade,import,export}")
    listed = jobs.add_parser("templates", parents=[model_options()], help="one line per template of PERSON")
    listed.add_argument("person", metavar="PERSON", help="name or #id")
    listed.set_defaults(func=templates)
    remove = jobs.add_parser(
        "remove-template",
        parents=[model_options()],
        help="remove template ID and the same face's templates by other models (history kept); asks for the PIN",
    )
    remove.add_argument(
        "template_id", metavar="ID", type=number(int, 1), help="a template id from facegate people templates"
    )
    remove.set_defaults(func=remove_template)
    upgrade = jobs.add_parser(
        "upgrade",
        parents=[model_options()],
        help="make every model's templates from the kept face crops; names who must be enrolled again",
    )
    upgrade.set_defaults(func=upgrade_templates)
    people_io.add_jobs(jobs)


def enroll(args: argparse.Namespace) -> int:
    from core.enrol.enroller import Enroller, Refused
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
        try:
            result = Enroller(store, face_pipeline(args)).enrol_photos(
                name,
                images,
                group=args.group,
                external_id=args.external_id,
                person_id=args.person_id,
                force=args.force,
            )
        except Refused as exc:
            raise FaceGateError(f"{exc}: nothing was enrolled (--force enrols them anyway)") from None
    for outcome in result.outcomes:
        print(f"{outcome.path}: {'ok' if outcome.ok else outcome.reason}")
    for match in result.duplicates:
        print(f"warning: {name} already looks like {match.name} (similarity {match.similarity:.2f})", file=sys.stderr)
    verb = "enrolled" if result.created else "added to"
    print(f"{verb} {result.person.name} (#{result.person.id}): {len(result.template_ids)} templates")
    return 0


def _models_in_use(args: argparse.Namespace) -> list[str]:
    from core.vision.embed import load_embedder
    from core.vision.pipeline import model_spec, verifier_spec

    return [load_embedder(spec).model_id for spec in (model_spec(args.model), verifier_spec())]


def people(args: argparse.Namespace) -> int:
    models = _models_in_use(args)
    with open_store(read_only=True) as store:
        everyone = store.list_people(include_inactive=True)
        stale = {t.person_id for t in store.stale_templates(models)}
    for p in everyone:
        flags = [flag for flag, on in (("inactive", not p.active), ("stale templates", p.id in stale)) if on]
        print(f"#{p.id}\t{p.name}\t{p.external_id or '-'}\t{p.group or '-'}\t{', '.join(flags)}".rstrip())
    if not everyone:
        print("nobody is enrolled yet: facegate enroll NAME PHOTO...", file=sys.stderr)
    return 0


def _person(store: Store, text: str) -> Person:
    """PERSON as the admin typed it: #7 (or 7) by id, else by name."""
    digits = text.removeprefix("#")
    if digits.isdigit():
        return person_by_id(store, int(digits))
    person = store.find_person_by_name(text)
    if person is None:
        raise FaceGateError(f"nobody called {text!r} is enrolled: see facegate people")
    return person


def templates(args: argparse.Namespace) -> int:
    with open_store(read_only=True) as store:
        person = _person(store, args.person)
        listed = store.template_crops(person.id)
    for info, _ in listed:
        made = info.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
        source = info.source + (f" {info.source_detail}" if info.source_detail else "")
        crop = "" if info.has_crop else "\tno crop"
        print(f"{info.id}\t{info.model_id}\t{source}\t{made}{crop}")
    if not listed:
        print(f"{person.name} has no templates: facegate enroll --person-id {person.id} PHOTO...", file=sys.stderr)
    return 0


def remove_template(args: argparse.Namespace) -> int:
    with open_store() as store:
        require_pin(store)
        removed = store.remove_template(args.template_id, actor="cli")
    listed = ", ".join(f"#{t.id} ({t.model_id})" for t in removed)
    print(f"removed from {removed[0].person_name}: {listed}; their attendance history is kept")
    return 0


def upgrade_templates(args: argparse.Namespace) -> int:
    from core.enrol.upgrade import missing_templates, upgrade_templates

    pipeline = face_pipeline(args)
    models = [m for m in (pipeline.embedder, pipeline.verifier) if m is not None]

    def progress(done: int, total: int) -> None:
        print(f"\r{done}/{total} faces", end="", file=sys.stderr, flush=True)

    with open_store() as store:
        require_pin(store)
        todo, _ = missing_templates(store, models)
        print(f"{todo} kept faces need templates of {', '.join(m.model_id for m in models)}", file=sys.stderr)
        result = upgrade_templates(store, models, progress)
    if todo:
        print(file=sys.stderr)  # end the progress line
    print(f"made {result.made} templates from kept crops, retired {result.retired}")
    for name in result.need_reenrol:
        print(f"enrol again: {name} (no kept face crop to make templates from)")
    return 0
