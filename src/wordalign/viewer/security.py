"""Who may talk to the web app: Host, Origin and access-token checks, and safe request parsing.

Standard library only (no Flask), so the CLI can check its options before the ``viewer`` extra
loads, and every rule can be tested as a plain function. :mod:`wordalign.viewer.app` calls these
from ``before_request`` hooks.

The policy:

* **Host.** Every request's ``Host`` must be exactly ``127.0.0.1``, ``localhost`` or ``[::1]``
  (any letter case) with the server's port, or the address the server listens on; with an access
  token also the names given with ``--allow-host``. A DNS-rebinding page (``evil.example``
  pointing at 127.0.0.1) sends its own name and is refused, so it cannot read the API.
* **Origin.** A request that changes data (POST, PUT, PATCH, DELETE) must send an ``Origin``,
  or without one a ``Referer``, naming exactly the origin the ``Host`` names; ``Origin: null``
  (sandboxed frames, ``data:`` URLs) is refused. With neither header the request is allowed
  only while the server listens on loopback: browsers send ``Origin`` with every cross-origin
  POST, so a request with neither comes from a program on this computer (curl, a script), which
  could as well write the database itself. Beyond loopback such clients must send ``Origin``.
* **Token.** A server listening beyond loopback must have an access token (nothing else keeps
  the network out). Every request carries it as ``Authorization: Bearer TOKEN`` or in the cookie
  set when the browser first opens ``/?token=TOKEN`` (the URL the server prints at start).
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import re
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeGuard
from urllib.parse import urlsplit

from wordalign.errors import WordalignError

__all__ = [
    "LOOPBACK_HOSTS",
    "MAX_ID",
    "MAX_JSON_BYTES",
    "MAX_JSON_DEPTH",
    "AccessPolicy",
    "Refusal",
    "id_in_range",
    "is_index",
    "is_loopback",
    "parse_json_object",
    "resolve_token",
]

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
"""The names a browser on this computer uses for a server on loopback."""

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_ID = 2**63 - 1
"""SQLite's largest integer: a larger id in a URL cannot name anything (and would overflow)."""
MAX_JSON_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32
"""The API's bodies are flat objects; deep nesting only serves to exhaust the parser's stack."""

MIN_TOKEN_LENGTH = 16
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9._~-]+")  # safe unquoted in URLs, headers and cookies
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")
_HTTP_DEFAULT_PORT = 80


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a request is refused, as an HTTP status and a one-line message."""

    status: int
    message: str


def is_loopback(host: str) -> bool:
    """Whether a listening address reaches only this computer (``localhost``, 127.x, ``::1``)."""
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _url_host(host: str) -> str:
    """A host as it appears in a URL or ``Host`` header: IPv6 addresses in brackets."""
    host = host.lower()
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def _split_host(header: str) -> tuple[str, int] | None:
    """``name[:port]`` -> (lower-case name, port), or None when it is not that shape."""
    header = header.lower()
    if header.startswith("["):
        end = header.find("]")
        if end < 0:
            return None
        name, rest = header[: end + 1], header[end + 1 :]
    else:
        name, colon, port = header.partition(":")
        rest = colon + port
    if not name:
        return None
    if not rest:
        return name, _HTTP_DEFAULT_PORT
    digits = rest[1:]
    if rest[0] != ":" or not (digits.isascii() and digits.isdigit()) or len(digits) > 5:
        return None
    return name, int(digits)


def _origin_of(name: str, port: int) -> str:
    # Browsers leave the scheme's default port out of an Origin.
    return f"http://{name}" if port == _HTTP_DEFAULT_PORT else f"http://{name}:{port}"


@dataclass(frozen=True, slots=True)
class AccessPolicy:
    """The Host, Origin and token rules for one server.

    Args:
        listen_host: the address the server listens on.
        port: the port it listens on; 80 (HTTP's default) is what a ``Host`` without a port
            means, which is also what Flask's test client sends.
        token: the access token every request must carry; required beyond loopback.
        allow_hosts: more names (or addresses) by which clients reach the server, such as the
            machine's network address when listening on ``0.0.0.0``; needs a token.

    Raises:
        WordalignError: for a non-loopback address without a token, or extra names without one.
    """

    listen_host: str = "127.0.0.1"
    port: int = _HTTP_DEFAULT_PORT
    token: str | None = None
    allow_hosts: tuple[str, ...] = ()
    host_names: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        if self.token is None and not is_loopback(self.listen_host):
            raise WordalignError(
                f"--host {self.listen_host} exposes the app to the network; give it an access "
                "token with --token auto, --token TOKEN or --token-file FILE"
            )
        if self.token is None and self.allow_hosts:
            # Without a token, only the Host check stands between the app and DNS rebinding.
            raise WordalignError("--allow-host needs an access token (--token or --token-file)")
        if self.token is not None:
            check_token_text(self.token)
        names = {*LOOPBACK_HOSTS, _url_host(self.listen_host)}
        names.update(_url_host(h) for h in self.allow_hosts)
        object.__setattr__(self, "host_names", frozenset(names))

    @property
    def loopback_only(self) -> bool:
        return is_loopback(self.listen_host)

    @property
    def cookie_name(self) -> str:
        # Cookies ignore ports: the port in the name keeps two servers on one host apart.
        return f"wordalign_token_{self.port}"

    def with_port(self, port: int) -> AccessPolicy:
        """The same policy once the server knows its port (``--port 0`` picks one at bind)."""
        return replace(self, port=port)

    def check_host(self, host_header: str) -> Refusal | None:
        """Refuse a ``Host`` that is not one of this server's names with its port."""
        parsed = _split_host(host_header)
        if parsed is None or parsed[0] not in self.host_names or parsed[1] != self.port:
            return Refusal(403, f"requests must address this server, not {host_header!r}")
        return None

    def check_origin(
        self, method: str, host_header: str, origin: str | None, referer: str | None
    ) -> Refusal | None:
        """Refuse a state-changing request that another site may have sent (CSRF).

        ``host_header`` must already have passed :meth:`check_host`.
        """
        if method.upper() not in UNSAFE_METHODS:
            return None
        parsed = _split_host(host_header)
        own = None if parsed is None else _origin_of(*parsed)
        if origin is not None:
            if origin.lower() != own:
                return Refusal(403, f"cross-site request refused (Origin {origin!r})")
            return None
        if referer is not None:
            parts = urlsplit(referer)
            if f"{parts.scheme}://{parts.netloc}".lower() != own:
                return Refusal(403, "cross-site request refused (Referer of another site)")
            return None
        if self.loopback_only:
            return None  # not a browser (see the module docstring)
        return Refusal(403, f"a request that changes data must send 'Origin: {own}'")

    def check_token(
        self, authorization: str | None, cookie: str | None, query_token: str | None
    ) -> Refusal | None:
        """Refuse a request without this server's token (none needed when it has no token).

        The token may come as ``?token=`` (the printed URL), ``Authorization: Bearer``, or the
        cookie; the first one present must be right.
        """
        if self.token is None:
            return None
        given = query_token
        if given is None and authorization is not None:
            scheme, _, value = authorization.partition(" ")
            given = value.strip() if scheme.lower() == "bearer" else ""
        if given is None:
            given = cookie
        if given is None:
            return Refusal(
                401,
                "this server needs its access token: open the URL it printed at start, "
                "or send 'Authorization: Bearer TOKEN'",
            )
        if not self.token_matches(given):
            return Refusal(403, "wrong access token")
        return None

    def token_matches(self, given: str) -> bool:
        """Constant-time comparison, so response times do not reveal the token bit by bit."""
        if self.token is None:
            return False
        return hmac.compare_digest(given.encode(), self.token.encode())


def check_token_text(token: str) -> str:
    """Check that a user's token is long and plain enough for URLs, headers and cookies."""
    if len(token) < MIN_TOKEN_LENGTH or not _TOKEN_CHARS.fullmatch(token):
        raise WordalignError(
            f"an access token must be at least {MIN_TOKEN_LENGTH} characters of "
            "A-Z a-z 0-9 . _ ~ - (or use --token auto)"
        )
    return token


def resolve_token(token: str | None, token_file: str | Path | None) -> str | None:
    """The token from ``--token`` (``auto`` makes one) or ``--token-file`` (its first line).

    Raises:
        WordalignError: for both options, an unreadable file, or a weak token.
    """
    if token is not None and token_file is not None:
        raise WordalignError("give either --token or --token-file, not both")
    if token_file is not None:
        try:
            lines = Path(token_file).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise WordalignError(f"cannot read the token file {token_file}: {exc}") from None
        token = lines[0].strip() if lines else ""
    if token == "auto":
        return secrets.token_urlsafe(24)
    return None if token is None else check_token_text(token)


def is_index(value: object) -> TypeGuard[int]:
    """An integer index or id; JSON ``true``/``false`` are Python ints but never indices."""
    return isinstance(value, int) and not isinstance(value, bool)


def id_in_range(value: int) -> bool:
    """Whether an id from a URL can name a row (0 to SQLite's largest integer)."""
    return 0 <= value <= MAX_ID


def _json_depth_exceeds(data: bytes, limit: int) -> bool:
    # Brackets inside strings do not nest; drop the strings first (an unclosed one is left in
    # and the parser rejects the body anyway).
    depth = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub(b'""', data)):
        depth += 1 if match.group() in (b"[", b"{") else -1
        if depth > limit:
            return True
    return False


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json_object(data: bytes) -> dict[str, Any]:
    """Parse a request body that must be one JSON object, of bounded size and nesting.

    Raises:
        WordalignError: for a body that is too large, too deep, not UTF-8 JSON, or no object.
    """
    if len(data) > MAX_JSON_BYTES:
        raise WordalignError(f"the JSON body is larger than {MAX_JSON_BYTES // 1024} KiB")
    if _json_depth_exceeds(data, MAX_JSON_DEPTH):
        raise WordalignError(f"the JSON body nests deeper than {MAX_JSON_DEPTH} levels")
    try:
        value = json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise WordalignError(f"the request body is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise WordalignError("the request body must be a JSON object")
    return value
