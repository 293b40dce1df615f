"""`facegate action`: what happens on check-in, check-out, unlock or a refused photo: a command
(a door relay), a signed webhook, or an MQTT message (Home Assistant)."""

from __future__ import annotations

import argparse
import sys

from desktop_app.cli.common import open_store, require_pin
from desktop_app.cli.options import label

KINDS_HELP = "comma list of check-in, check-out, unlock, attack"


def add_action(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("action", help="run a command, post a webhook or publish MQTT on events")
    p.set_defaults(func=list_actions)
    jobs = p.add_subparsers(dest="job", metavar="{add,list,remove,test}")
    add = jobs.add_parser(
        "add",
        help="add an action; asks for the admin PIN once one is set",
        epilog="Each event is one JSON document (uid, kind, person_id, name, group, external_id, kiosk_id, "
        "time, similarity): a command gets it on standard input and as FACEGATE_EVENT_* variables.",
    )
    add.add_argument("name", metavar="NAME", type=label("action name"), help="a short name for the action, e.g. door")
    add.add_argument("--on", required=True, metavar="KINDS", help=KINDS_HELP)
    how = add.add_mutually_exclusive_group(required=True)
    how.add_argument("--run", metavar="CMD", help="shell command run for each event (time limit 5 s)")
    how.add_argument("--webhook", metavar="URL", help="http(s) URL each event is POSTed to")
    how.add_argument("--mqtt", metavar="URL", help="broker as mqtt://[user:password@]host[:port] (or mqtts://)")
    add.add_argument(
        "--secret-file", metavar="F", help="webhook: sign with HMAC-SHA256 using the secret in F (mode 0600)"
    )
    add.add_argument("--topic", metavar="T", help="MQTT topic, e.g. facegate/door")
    add.set_defaults(func=add_one)
    listed = jobs.add_parser("list", help="one line per action: name, kinds, method, target, waiting deliveries")
    listed.set_defaults(func=list_actions)
    remove = jobs.add_parser("remove", help="remove action NAME and its waiting deliveries; asks for the PIN")
    remove.add_argument("name", metavar="NAME", help="the action to remove (see facegate action list)")
    remove.set_defaults(func=remove_one)
    test = jobs.add_parser("test", help="send action NAME a test event now (exit 2 with the reason if it fails)")
    test.add_argument("name", metavar="NAME", help="the action to send a test event to")
    test.set_defaults(func=test_one)


def add_one(args: argparse.Namespace) -> int:
    from core.actions.secret import read_secret
    from core.store.actions import make_action

    method, target = next((m, t) for m, t in (("run", args.run), ("webhook", args.webhook), ("mqtt", args.mqtt)) if t)
    action = make_action(args.name, args.on, method, target, args.topic, args.secret_file)
    if action.secret_file:
        read_secret(action.secret_file)  # refused now, not at the first event
    with open_store() as store:
        require_pin(store)
        store.add_action(action, actor="cli")
    return 0


def list_actions(args: argparse.Namespace) -> int:
    from core.store.actions import shown_target

    with open_store(read_only=True) as store:
        waiting = store.outbox_waiting()
        for a in store.actions():
            topic = f" topic={a.topic}" if a.topic else ""
            signed = " signed" if a.secret_file else ""
            print(
                f"{a.name}\t{','.join(a.kinds)}\t{a.method}\t{shown_target(a)}{topic}{signed}\twaiting={waiting.get(a.name, 0)}"
            )
    return 0


def remove_one(args: argparse.Namespace) -> int:
    with open_store() as store:
        require_pin(store)
        store.remove_action(args.name, actor="cli")
    return 0


def test_one(args: argparse.Namespace) -> int:
    from core.actions.hub import test_action

    with open_store() as store:
        test_action(store, args.name)
    print(f"{args.name}: delivered", file=sys.stderr)
    return 0
