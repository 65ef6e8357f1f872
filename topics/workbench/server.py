"""Serving the workbench: 127.0.0.1 and a random access token by default.

Every page, the websocket and the metadata requests go through :class:`TokenAuth` (a Bokeh auth
provider): a request is let in when its URL carries ``?token=...`` with the session's token (the page
then sets an HTTP-only, same-site cookie holding it, which the websocket and later requests send) or when
it carries that cookie. Anything else is answered ``403 Forbidden``. Another host than 127.0.0.1 is bound
only with ``allow_remote=True`` and a warning.

Bokeh asks the auth provider only on its own pages; Panel and Bokeh also serve static files, the favicon and
Panel's ``/components/<module>/...`` resources from handlers that never ask it. So :func:`guard_routes`
walks every route of the Tornado application once the server is built (before it is announced) and puts the
token check in front of each handler: no route answers without the token. The component route also never
imports a module: it serves only from modules already imported, of Panel, Bokeh or this package.
"""

from __future__ import annotations

import contextlib
import errno
import hmac
import secrets
import socket
import sys
import threading
import uuid
from collections.abc import Callable
from typing import Any

from bokeh.server.auth_provider import AuthProvider
from tornado.web import HTTPError, RequestHandler

from topics.errors import InputError
from topics.workbench.uploads import WEBSOCKET_MAX_BYTES

COOKIE = "topics_workbench_token"
DENIED = "/denied"
LOCAL = ("127.0.0.1", "localhost", "::1")
COMPONENT_PACKAGES = ("panel", "bokeh", "topics")
"""The packages whose already-imported modules Panel's ``/components/`` route may serve resources from."""
REFUSED = "403: the workbench needs its access token; open the URL that `topics curate app` printed.\n"


class DeniedHandler(RequestHandler):
    """The page a request without the token is sent to: 403, one line of plain text."""

    def get(self) -> None:
        self.set_status(403)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(REFUSED)

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
    def get_user(self) -> Callable[[RequestHandler], str | None]:  # type: ignore[override]  # Panel: an attribute
        """The check Panel runs on every request: the user's name when the token is right, None otherwise."""
        return self._check

    @property
    def login_url(self) -> str:
        """Where Panel sends a request without the token: a page that says access is denied."""
        return DENIED

    @property
    def login_handler(self) -> type[RequestHandler]:
        """The handler of that page (403, one line of text; there is no login form)."""
        return DeniedHandler


def _component_path(handler: RequestHandler, base: Any, path: str) -> str:
    """Panel's component resource lookup, limited to modules already imported from :data:`COMPONENT_PACKAGES`."""
    module = path.split("/", 1)[0]
    if module not in sys.modules or module.split(".", 1)[0] not in COMPONENT_PACKAGES:
        raise HTTPError(404)
    return str(base.parse_url_path(handler, path))


def _guarded(handler: type[RequestHandler], auth: TokenAuth) -> type[RequestHandler]:
    """A subclass of ``handler`` whose ``prepare`` answers 403 (one line of text) to a request without the token."""
    base_prepare = handler.prepare

    def prepare(self: RequestHandler) -> Any:
        if auth.get_user(self) is None:
            self.set_status(403)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish(REFUSED)
            return None
        return base_prepare(self)

    from panel.io.server import ComponentResourceHandler

    attrs: dict[str, Any] = {"prepare": prepare, "_token_guarded": True, "__doc__": handler.__doc__}
    if issubclass(handler, ComponentResourceHandler):
        attrs["parse_url_path"] = lambda self, path: _component_path(self, handler, path)
    return type(f"Guarded{handler.__name__}", (handler,), attrs)


def guard_routes(application: Any, auth: TokenAuth) -> int:
    """Put the token check in front of every handler of a Tornado application (in place).

    Parameters
    ----------
    application : tornado.web.Application
        The server's application (``server._tornado`` of a Bokeh server); its routers are walked recursively.
    auth : TokenAuth

    Returns
    -------
    int
        How many routes were guarded.

    Raises
    ------
    RuntimeError
        A route whose target is neither a request handler nor a router (it could not be guarded).
    """
    seen: set[int] = set()
    count = 0

    def walk(router: Any) -> None:
        nonlocal count
        for rule in getattr(router, "rules", []):
            if id(rule) in seen:
                continue
            seen.add(id(rule))
            target = rule.target
            if isinstance(target, type) and issubclass(target, RequestHandler):
                if not getattr(target, "_token_guarded", False):
                    rule.target = _guarded(target, auth)
                count += 1
            elif hasattr(target, "rules"):
                walk(target)
            else:
                raise RuntimeError(f"workbench server: cannot guard the route to {target!r}; refusing to serve it")

    walk(application.default_router)
    walk(application.wildcard_router)
    fallback = application.settings.get("default_handler_class")
    if fallback is not None and not getattr(fallback, "_token_guarded", False):
        application.settings["default_handler_class"] = _guarded(fallback, auth)
    return count


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


def check_port_free(host: str, port: int) -> None:
    """Refuse a ``--port`` that cannot be listened on (taken, or reserved for the administrator), in one line.

    Parameters
    ----------
    host : str
        The interface the workbench is to listen on.
    port : int
        The port asked for.

    Raises
    ------
    InputError
        Another program listens on ``port`` (or the port needs administrator rights).
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does: TIME_WAIT is free
            probe.bind(address)
    except OSError as err:
        if err.errno == errno.EADDRINUSE:
            raise InputError(
                f"port {port} is in use on {host}; choose another port (--port / port=) or leave it out"
            ) from None
        reason = "it needs administrator rights" if err.errno == errno.EACCES else (err.strerror or str(err))
        raise InputError(
            f"cannot listen on port {port} of {host}: {reason}; choose another port (--port / port=) or leave it out"
        ) from None


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
    check_address(address, allow_remote)
    if port:
        check_port_free(address, port)  # one line, not a traceback from the server thread
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
        # an upload travels as one base64 message; the page refuses files over MAX_UPLOAD_BYTES before sending
        "websocket_max_message_size": WEBSOCKET_MAX_BYTES,
    }
    if threaded:
        return _start_thread(factory, options, url), url
    server = _build(factory, options)  # the socket is bound here: the URL works once printed
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


def _build(factory: Callable[[], Any], options: dict[str, Any], **extra: Any) -> Any:
    """A Panel server, not started, every route of which checks the token (see :func:`guard_routes`)."""
    from panel.io.server import get_server

    server = get_server({"/": factory}, start=False, **options, **extra)
    guard_routes(server._tornado, options["auth_provider"])
    return server


def _start_thread(factory: Callable[[], Any], options: dict[str, Any], url: str) -> Any:
    """Serve in a new thread (Panel's ``StoppableThread``, whose ``stop()`` ends it); return once guarded."""
    from panel.io.state import state
    from panel.io.threads import StoppableThread
    from tornado.ioloop import IOLoop

    ready = threading.Event()
    failed: list[BaseException] = []

    def run(**kwargs: Any) -> Any:
        try:
            server = _build(factory, options, **kwargs)
        except BaseException as err:
            failed.append(err)
            raise
        finally:
            ready.set()
        server.start()
        with contextlib.suppress(RuntimeError):
            server.io_loop.start()
        return server

    loop = IOLoop(make_current=False)
    server_id = uuid.uuid4().hex
    thread = StoppableThread(
        target=run, io_loop=loop, kwargs={"loop": loop, "server_id": server_id}, owns_loop=True, daemon=True
    )
    state._threads[server_id] = thread
    thread.start()
    if not ready.wait(120) or failed:
        thread.stop()
        raise RuntimeError(f"the workbench server did not start ({failed[0] if failed else 'timed out'})")
    _announce(url)
    return thread


def _announce(url: str) -> None:
    print(f"Curation workbench: {url}", flush=True)
    print("(the token in the URL is the key: do not share it; stop with Ctrl+C)", flush=True)
