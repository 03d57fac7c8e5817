"""What ``labeler serve`` was asked to do, checked before anything listens.

Binding to anything but loopback without TLS is refused unless ``--insecure-http`` says the
operator knows (a session cookie over plain HTTP on a network can be stolen). The public URL
is what the browser sees: the WebSocket must come from its origin.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
DEFAULT_MAX_SESSIONS = 20
HEARTBEAT_S = 10.0
"""The server pings an idle browser after this long and drops it if no pong comes within half
of it: a vanished browser's session ends within ``1.5 * HEARTBEAT_S + STOP_GRACE_S + 2``."""
STOP_GRACE_S = 5.0
"""How long a session's app gets to save and quit before it is terminated."""
ACCESS_CHECK_S = 10.0
"""How often live sessions are checked against revocation and expiry."""
SPARE_DELAY_S = 3.0
"""After a session takes the warm spare, the next one is started this much later."""


@dataclass(frozen=True)
class ServeConfig:
    """The options of ``labeler serve``."""

    store_path: Path
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    public_url: str | None = None
    max_sessions: int = DEFAULT_MAX_SESSIONS
    tls_cert: Path | None = None
    tls_key: Path | None = None
    insecure_http: bool = False
    overlap: int = 2
    slices: tuple[str, ...] = field(default_factory=tuple)
    order: str = "random"
    """The review queue's order, as ``labeler review --order``: random or import."""
    heartbeat: float = HEARTBEAT_S
    stop_grace: float = STOP_GRACE_S
    access_check: float = ACCESS_CHECK_S
    warm_spare: bool = True
    """Keep one session process started ahead of need (its imports done): the first screen
    comes about a second sooner, for one idle process's memory."""
    spare_delay: float = SPARE_DELAY_S

    @property
    def tls(self) -> bool:
        """True when the server itself speaks HTTPS."""
        return self.tls_cert is not None


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and addresses in 127.0.0.0/8 or ``::1``."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _is_wildcard(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return False


def check_config(config: ServeConfig) -> str:
    """The public URL (no trailing slash) after checking the options; ValueError if unsafe or
    inconsistent."""
    if (config.tls_cert is None) != (config.tls_key is None):
        raise ValueError("give both --tls-cert and --tls-key, or neither")
    for path in (config.tls_cert, config.tls_key):
        if path is not None and not path.is_file():
            raise ValueError(f"{path} is not a file")
    if not is_loopback(config.host) and not config.tls and not config.insecure_http:
        raise ValueError(
            f"--host {config.host} would serve plain HTTP to the network, where the session "
            "cookie can be stolen. Keep the default 127.0.0.1 (reviewers come through an SSH "
            "tunnel or a TLS reverse proxy), give --tls-cert and --tls-key, or add "
            "--insecure-http if this network is trusted."
        )
    if config.max_sessions < 1:
        raise ValueError("--max-sessions must be at least 1")
    if config.public_url is None:
        if _is_wildcard(config.host):
            raise ValueError(
                f"--host {config.host} listens on every address: give --public-url, the "
                "address reviewers open (e.g. https://labels.example.com)"
            )
        scheme = "https" if config.tls else "http"
        host = f"[{config.host}]" if ":" in config.host else config.host
        return f"{scheme}://{host}:{config.port}"
    return normalise_public_url(config.public_url)


def normalise_public_url(url: str) -> str:
    """``url`` checked (http or https, a host, no query) without its trailing slash."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"--public-url {url!r}: give an http:// or https:// URL with a host")
    if parts.query or parts.fragment:
        raise ValueError(f"--public-url {url!r}: no query or fragment")
    return f"{parts.scheme}://{parts.netloc.lower()}{parts.path.rstrip('/')}"


def origin_of(url: str) -> str:
    """The origin (``scheme://host[:port]``) browsers send for pages under ``url``; the
    default port of the scheme is left out, as browsers do."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    default = 443 if parts.scheme == "https" else 80
    port = parts.port
    return f"{parts.scheme}://{host}" + ("" if port in (None, default) else f":{port}")


def cookie_name(public_url: str) -> str:
    """The session cookie's name: one per served URL, since cookies ignore the port."""
    return "labeler_" + hashlib.sha256(public_url.encode()).hexdigest()[:10]
