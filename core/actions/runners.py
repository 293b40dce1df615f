"""Delivering one event document to one action, within a time limit: run a command (the document
on its standard input and in FACEGATE_EVENT_* variables), post it to a webhook signed with
HMAC-SHA256, or publish it to an MQTT broker. Each raises ActionFailed with a message that holds
no secret (URLs redacted, the webhook secret never read into one)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import signal
import subprocess
import urllib.error
import urllib.request
from urllib.parse import unquote, urlsplit, urlunsplit

from core.actions.mqtt import publish
from core.actions.secret import read_secret
from core.errors import FaceGateError
from core.redact import scrub
from core.store.records import Action

# Long enough for a relay command or a LAN webhook, short enough that a door never opens late.
TIMEOUT_S = 5.0
SIGNATURE_HEADER = "X-FaceGate-Signature"
EVENT_HEADER = "X-FaceGate-Event"


class ActionFailed(FaceGateError):
    """A delivery did not happen (or was not confirmed); the message is safe to show and audit."""


def signature(secret: bytes, body: bytes) -> str:
    """The value of X-FaceGate-Signature: what a receiver recomputes to trust the body."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def event_environment(body: str) -> dict[str, str]:
    """FACEGATE_EVENT_UID, _KIND, _PERSON_ID, _NAME, _GROUP, _EXTERNAL_ID, _KIOSK_ID, _TIME, _SIMILARITY."""
    return {
        f"FACEGATE_EVENT_{key.upper()}": "" if value is None else str(value) for key, value in json.loads(body).items()
    }


def deliver(action: Action, body: str, timeout_s: float = TIMEOUT_S) -> None:
    """Delivers body (an event document) to action; ActionFailed when it could not be."""
    try:
        {"run": _run, "webhook": _post, "mqtt": _publish}[action.method](action, body, timeout_s)
    except ActionFailed:
        raise
    except FaceGateError as exc:
        raise ActionFailed(str(exc)) from exc


def _run(action: Action, body: str, timeout_s: float) -> None:
    # Its own session, so a timeout ends the command and whatever it started (a shell's children).
    process = subprocess.Popen(
        ["/bin/sh", "-c", action.target],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **event_environment(body)},
        start_new_session=True,
    )
    try:
        process.communicate(body.encode(), timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise ActionFailed(f"the command did not finish within {timeout_s:g} s and was stopped") from None
    except BrokenPipeError:
        process.wait()  # a command that does not read its input is fine
    if process.returncode:
        raise ActionFailed(f"the command exited with status {process.returncode}")


def _post(action: Action, body: str, timeout_s: float) -> None:
    data = body.encode()
    headers = {"Content-Type": "application/json", EVENT_HEADER: json.loads(body)["uid"]}
    if action.secret_file:
        headers[SIGNATURE_HEADER] = signature(read_secret(action.secret_file), data)
    url = action.target
    parts = urlsplit(url)
    if parts.username is not None:
        # user:password@ in the URL is HTTP basic authentication, which urllib does not take from a URL.
        credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(credentials).decode()
        url = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        raise ActionFailed(f"the webhook answered HTTP {exc.code}") from None
    except (OSError, ValueError) as exc:  # URLError, timeouts, refused connections
        reason = getattr(exc, "reason", exc)
        raise ActionFailed(f"the webhook could not be reached: {scrub(str(reason), action.target)}") from None


def _publish(action: Action, body: str, timeout_s: float) -> None:
    publish(action.target, action.topic or "", body, timeout_s)
