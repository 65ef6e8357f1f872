"""Every route of the running workbench server needs the token (issue 23, item 1).

The server runs in a child process (so a route that imports a module by name cannot harm the test process);
the child lists the URL patterns of its live Tornado application, and the test requests a concrete URL for
each one without the token, with a wrong token and with a wrong cookie. Panel's ``/components/<module>/``
route is also asked for ``this`` (prints the Zen of Python on import) and ``venv.__main__`` (creates a
virtual environment in every folder named on the server's command line, then exits the server).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import queue
import re
import subprocess
import sys
import threading
import time

import pytest

from topics.workbench.server import COOKIE, free_port

TOKEN = "test-token-" + "x" * 32
CHILD = r"""
import json, sys, time
import panel as pn
from panel.io.state import state
from topics.workbench.server import start_server

thread, url = start_server(lambda: pn.pane.Markdown("hello"), port=int(sys.argv[1]), token=sys.argv[2], threaded=True)
for _ in range(200):  # a threaded server registers itself once built
    if thread.server_id in state._servers:
        break
    time.sleep(0.1)
app = state._servers[thread.server_id][0]._tornado
patterns, odd = [], []

def walk(router):
    for rule in router.rules:
        if hasattr(rule.target, "rules"):
            walk(rule.target)
        elif getattr(rule.matcher, "regex", None) is not None:
            patterns.append(rule.matcher.regex.pattern)
        else:
            odd.append(repr(rule.matcher))

walk(app.default_router)
walk(app.wildcard_router)
print("ROUTES " + json.dumps({"patterns": sorted(set(patterns)), "odd": odd}), flush=True)
for _ in range(600):  # the test stops the server; at most ten minutes
    time.sleep(1)
"""
SAMPLE = {r"(.*)": "js/x/y/z.js", r"(.+)": "js/x/y/z.js", r"([^/]+)": "x", r"([^/]*)": "x"}


def concrete(pattern: str) -> str:
    """A URL path the route pattern matches (asserted), its groups filled with a sample path."""
    path = pattern.removeprefix("^").removesuffix("$")
    path = re.sub(r"\(\?!.*?\)", "", path)  # negative lookaheads
    path = path.replace("/?", "/")
    for group, sample in SAMPLE.items():
        path = path.replace(group, sample)
    path = path.replace("\\.", ".")
    assert re.fullmatch(pattern.removesuffix("$"), path), f"no concrete URL for the route {pattern!r}: extend SAMPLE"
    return path or "/"


def status(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, str, bytes]:
    """Status, Set-Cookie header and the first bytes of the body of a GET to the local server (0: no answer)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.getheader("Set-Cookie") or "", resp.read(2000)
    except (OSError, http.client.HTTPException):
        return 0, "", b""
    finally:
        conn.close()


@pytest.fixture(scope="module")
def child(tmp_path_factory):
    """The server in a child process; yields (port, routes, child process, victim folder, working folder)."""
    work = tmp_path_factory.mktemp("routes")
    victim = work / "victim"  # venv.__main__ would create a virtual environment here (it reads sys.argv)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(port), TOKEN, str(victim)],
        cwd=work,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    seen: list[str] = []
    routes = None
    deadline = time.monotonic() + 120
    try:
        while routes is None and time.monotonic() < deadline and (proc.poll() is None or not lines.empty()):
            with contextlib.suppress(queue.Empty):
                line = lines.get(timeout=1)
                seen.append(line)
                if line.startswith("ROUTES "):
                    routes = json.loads(line[len("ROUTES ") :])
        assert routes is not None, "the server did not start:\n" + "".join(seen)
        yield port, routes, proc, victim, work, lines
    finally:
        proc.kill()
        proc.wait(timeout=30)


def _output(lines: queue.Queue[str]) -> str:
    time.sleep(0.5)
    out = []
    while not lines.empty():
        out.append(lines.get())
    return "".join(out)


def test_every_route_of_the_running_server_refuses_a_request_without_the_token(child):
    port, routes, proc, victim, work, lines = child
    assert not routes["odd"], f"routes that are not URL patterns: {routes['odd']}"
    patterns = routes["patterns"]
    assert any("components" in p for p in patterns) and any("static" in p for p in patterns)
    paths = {concrete(p) for p in patterns} | {
        "/components/this/x/__css__/y",
        "/components/venv.__main__/x/__css__/y",
        "/components/panel.template.base/BasicTemplate/_css/x",
        "/static/js/bokeh.min.js",
        "/favicon.ico",
    }
    refused = {401, 403, 404}
    answered: list[str] = []
    for path in sorted(paths):
        sep = "&" if "?" in path else "?"
        for url, headers in [
            (path, {}),
            (f"{path}{sep}token=wrong", {}),
            (path, {"Cookie": f"{COOKIE}=wrong"}),
            (
                path,
                {
                    "Connection": "Upgrade",
                    "Upgrade": "websocket",
                    "Sec-WebSocket-Version": "13",
                    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
                    "Origin": f"http://127.0.0.1:{port}",
                },
            ),
        ]:
            code, cookie, _ = status(port, url, headers)
            if code not in refused or TOKEN in cookie:
                answered.append(f"{url} {sorted(headers)} answered {code}")
            if code == 0:  # the server no longer answers: stop here
                break
        if answered and answered[-1].endswith("answered 0"):
            break
    time.sleep(0.5)
    assert not answered, "answered without the token:\n" + "\n".join(answered)
    assert proc.poll() is None, "the server exited"
    assert not victim.exists() and sorted(p.name for p in work.iterdir()) == [], "a request created files"
    # with the token: the page, then the static files with the cookie the page set
    code, cookie, body = status(port, f"/?token={TOKEN}")
    assert code == 200 and COOKIE in cookie and "HttpOnly" in cookie and b"<html" in body.lower()
    jar = {"Cookie": f"{COOKIE}={TOKEN}"}
    assert status(port, "/static/js/bokeh.min.js", jar)[0] == 200
    assert status(port, "/favicon.ico", jar)[0] == 200
    # even with the token the component route imports nothing: a module not already loaded is not found
    assert status(port, "/components/this/x/__css__/y", jar)[0] == 404
    assert status(port, "/components/venv.__main__/x/__css__/y", jar)[0] == 404
    assert proc.poll() is None and not victim.exists()
    out = _output(lines)
    assert "Beautiful is better than ugly" not in out


def test_a_route_that_cannot_be_guarded_is_refused():
    from tornado.routing import PathMatches, Rule, RuleRouter

    from topics.workbench.server import TokenAuth, guard_routes

    class App:
        default_router = RuleRouter([Rule(PathMatches("/x"), lambda request: None)])
        wildcard_router = RuleRouter([])
        settings: dict = {}

    with pytest.raises(RuntimeError, match="cannot guard"):
        guard_routes(App(), TokenAuth("t"))


def test_the_guard_keeps_each_handler_and_wraps_it_once():
    from tornado.routing import PathMatches, Rule, RuleRouter
    from tornado.web import RequestHandler

    from topics.workbench.server import TokenAuth, guard_routes

    class Page(RequestHandler):
        pass

    inner = RuleRouter([Rule(PathMatches("/a"), Page)])

    class App:
        default_router = RuleRouter([Rule(PathMatches("/.*"), inner)])
        wildcard_router = inner
        settings: dict = {}

    assert guard_routes(App(), TokenAuth("t")) == 1
    target = inner.rules[0].target
    assert issubclass(target, Page) and target is not Page
    guard_routes(App(), TokenAuth("t"))
    assert inner.rules[0].target is target
