"""Camera and database URLs with their secrets taken out, for every message, log line and widget.

The one owner of what counts as a secret in a URL: the user info (`user:password@`, or a bare token
before the `@`) and query values whose name suggests one (`?password=`, `?token=`). Where a URL is
ambiguous (an unencoded `@` in a password) the user info is taken to run to the last `@`, so more
is hidden rather than less.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

HIDDEN = "***"
_SECRET_KEY = re.compile(r"pass|pwd|secret|token|key|auth|sig|cred", re.IGNORECASE)


def _parts(url: str) -> tuple[str, str, str, str, list[tuple[str, str]]]:
    """(scheme://, user info, host and path, ? or nothing, query as key, =value pairs)."""
    scheme, sep, rest = url.partition("://")
    prefix, userinfo = "", ""
    # No host after :// (sqlite:///file, file:///), or no :// at all (a path, a camera number):
    # no user info, though a query may still hold a password.
    if sep and scheme and not rest.startswith("/"):
        at = rest.rfind("@")
        prefix, userinfo, rest = f"{scheme}://", rest[:at] if at >= 0 else "", rest[at + 1 :]
    else:
        rest = url
    where, mark, query = rest.partition("?")
    pairs = [(key, eq + value) for key, eq, value in (item.partition("=") for item in query.split("&"))]
    return prefix, userinfo, where, mark, pairs if query else []


def _secret(key: str, value: str) -> bool:
    return bool(value) and _SECRET_KEY.search(key) is not None


def redact_url(url: str) -> str:
    """url with its user info and secret query values replaced by ***; anything else as it was."""
    prefix, userinfo, where, mark, pairs = _parts(url)
    query = "&".join(f"{key}={HIDDEN}" if _secret(key, value) else key + value for key, value in pairs)
    return f"{prefix}{HIDDEN + '@' if userinfo else ''}{where}{mark}{query}"


def url_secrets(url: str) -> list[str]:
    """The secrets in url as they may appear in a driver's or a library's own message: raw and
    percent-decoded, longest first (so a secret that contains another is replaced whole)."""
    _, userinfo, _, _, pairs = _parts(url)
    # The user name is no secret (and replacing a short one would garble a whole message).
    found = [userinfo.partition(":")[2]] + [value[1:] for key, value in pairs if _secret(key, value)]
    found += [unquote(secret) for secret in found]
    return sorted({secret for secret in found if secret}, key=len, reverse=True)


def scrub(text: str, url: str) -> str:
    """text (a driver's or a library's message about url) with url and its secrets redacted."""
    text = text.replace(url, redact_url(url))
    for secret in url_secrets(url):
        text = text.replace(secret, HIDDEN)
    return text
