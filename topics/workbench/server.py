"""Serving the workbench: 127.0.0.1 and a random access token by default.

Every page, the websocket and the metadata requests go through :class:`TokenAuth` (a Bokeh auth
provider): a request is let in when its URL carries ``?token=...`` with the session's token (the page
then sets an HTTP-only, same-site cookie holding it, which the websocket and later requests send) or when
it carries that cookie. Anything else is answered ``403 Forbidden``. Another host than 127.0.0.1 is bound
only with ``allow_remote=True`` and a warning.
"""

from __future__ import annotations

import contextlib
import hmac
import secrets
import socket
import sys
from collections.abc import Callable
from typing import Any

from bokeh.server.auth_provider import AuthProvider
from tornado.web import RequestHandler

COOKIE = "topics_workbench_token"
DENIED = "/denied"
LOCAL = ("127.0.0.1", "localhost", "::1")


class DeniedHandler(RequestHandler):
    """The page a request without the token is sent to: 403, one line of plain text."""

    def get(self) -> None:
        self.set_status(403)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish("403: the workbench needs its access token; open the URL that `topics curate app` printed.\n")

    def post(self) -> None:
        self.get()


class TokenAuth(AuthProvider):
    """Let a request in only with the session's access token (query parameter or cookie).

    Parameters
    ----------
    token : str
        The secret; compared in constant time.
    """

    def __init__(self, token: str) -> None:
        self.token = token
        super().__init__()

    def _check(self, handler: RequestHandler) -> str | None:
        given = handler.get_query_argument("token", default=None)
        if given is not None and hmac.compare_digest(given.encode(), self.token.encode()):
            if not getattr(handler, "_headers_written", False):
                # a websocket handshake cannot set cookies; the query token suffices there
                with contextlib.suppress(Exception):
                    handler.set_cookie(COOKIE, self.token, httponly=True, samesite="Strict", path="/")
            return "workbench user"
        cookie = handler.get_cookie(COOKIE)
        if cookie is not None and hmac.compare_digest(cookie.encode(), self.token.encode()):
            return "workbench user"
        return None

    @property
    def get_user(self) -> Callable[[RequestHandler], str | None]:
        return self._check

    @property
    def login_url(self) -> str:
        return DENIED

    @property
    def login_handler(self) -> type[RequestHandler]:
        return DeniedHandler


def new_token() -> str:
    """A random access token (32 bytes, URL-safe)."""
    return secrets.token_urlsafe(32)


def free_port(address: str = "127.0.0.1") -> int:
    """A TCP port free on ``address`` right now."""
    with socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET) as s:
        s.bind((address, 0))
        return int(s.getsockname()[1])


def check_address(address: str, allow_remote: bool) -> None:
    """Refuse a non-local address unless ``allow_remote``; warn on stderr when it is allowed."""
    if address in LOCAL:
        return
    if not allow_remote:
        raise ValueError(
            f"refusing to listen on {address!r}: the workbench shows transcripts; it binds 127.0.0.1 "
            "unless you pass --allow-remote (allow_remote=True)"
        )
    print(
        f"WARNING: the workbench listens on {address}: anyone who can reach this machine and has the token can "
        "read the remarks and change the ledger. Use it only on a trusted network.",
        file=sys.stderr,
    )


def start_server(
    factory: Callable[[], Any],
    *,
    address: str = "127.0.0.1",
    port: int | None = None,
    token: str | None = None,
    allow_remote: bool = False,
    show: bool = False,
    threaded: bool = False,
) -> tuple[Any, str]:
    """Start a Panel server for a layout factory behind the token check.

    Parameters
    ----------
    factory : callable
        Returns a new layout for each browser session.
    address : str
        Interface to bind (127.0.0.1 unless ``allow_remote``).
    port : int, optional
        Default: a free port.
    token : str, optional
        Default: a new random token.
    allow_remote : bool
    show : bool
        Open the browser.
    threaded : bool
        Run the server in a thread and return at once (tests, notebooks); else block until stopped.

    Returns
    -------
    server : object
        The server (threaded: the server thread, whose ``stop()`` ends it).
    url : str
        The local URL with the token.
    """
    import panel as pn

    check_address(address, allow_remote)
    port = port or free_port(address if address in LOCAL else "127.0.0.1")
    token = token or new_token()
    host = "127.0.0.1" if address in LOCAL else address
    url = f"http://{host}:{port}/?token={token}"
    origins = [f"{host}:{port}", f"localhost:{port}", f"127.0.0.1:{port}"]
    options = {
        "address": address,
        "port": port,
        "show": False,
        "websocket_origin": origins,
        "auth_provider": TokenAuth(token),
        "title": "Curation workbench",
        "verbose": False,
    }
    if threaded:
        thread = pn.serve({"/": factory}, threaded=True, **options)
        _announce(url)
        return thread, url
    server = pn.serve({"/": factory}, start=False, **options)  # the socket is bound here: the URL works once printed
    _announce(url)
    if show:
        import webbrowser

        server.io_loop.add_callback(lambda: webbrowser.open(url))
    server.start()
    try:
        server.io_loop.start()
    except KeyboardInterrupt:
        print("stopped", flush=True)
    finally:
        server.stop()
    return server, url


def _announce(url: str) -> None:
    print(f"Curation workbench: {url}", flush=True)
    print("(the token in the URL is the key: do not share it; stop with Ctrl+C)", flush=True)
