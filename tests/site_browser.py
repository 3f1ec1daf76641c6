"""Headless Chromium driven over the Chrome DevTools protocol, for tests/test_site.py.

Debian's ``chromium`` package supplies the browser (``apt-get install chromium``);
``websocket-client`` (pinned in requirements-site.txt) speaks the protocol. A page is opened,
its load event, MathJax's typesetting and every image awaited, and what the browser saw is
returned: the console errors and uncaught exceptions, every URL it requested, and the result of
a JavaScript expression evaluated on the rendered DOM.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import websocket

#: Where to look for the browser; $CHROMIUM overrides.
_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = ("headless Chromium was not found: install it with `sudo apt-get install chromium` "
                "(Debian/Ubuntu; .ci/run does this), or set CHROMIUM=/path/to/chromium")


def find_chromium() -> str | None:
    """The path of a Chromium (or Chrome) executable, or None."""
    if os.environ.get("CHROMIUM"):
        return shutil.which(os.environ["CHROMIUM"])
    return next((p for p in map(shutil.which, _NAMES) if p), None)


class Browser:
    """One headless Chromium with one page (tab); use as a context manager."""

    def __init__(self, executable: str, timeout: float = 60.0, window=(1280, 900)):
        self.timeout = timeout
        self._profile = tempfile.mkdtemp(prefix="gan-site-chromium-")
        self._proc = subprocess.Popen(
            [executable, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--mute-audio", "--remote-debugging-port=0",
             f"--user-data-dir={self._profile}", f"--window-size={window[0]},{window[1]}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            port = self._wait_for_port()
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
                pages = [t for t in json.load(r) if t.get("type") == "page"]
            self._ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=timeout,
                                                   suppress_origin=True)
        except BaseException:
            self.close()
            raise
        self._next_id = 0
        self.events: list[dict] = []
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")

    def _wait_for_port(self) -> int:
        path = Path(self._profile) / "DevToolsActivePort"
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"Chromium exited at start-up (exit status {self._proc.returncode})")
            if path.is_file() and path.read_text().strip():
                return int(path.read_text().split()[0])
            time.sleep(0.1)
        raise TimeoutError(f"Chromium did not open its DevTools port within {self.timeout:.0f} s")

    def call(self, method: str, **params) -> dict:
        """Send one DevTools command and return its result (events that arrive meanwhile are kept)."""
        self._next_id += 1
        self._ws.send(json.dumps({"id": self._next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self._ws.recv())
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def _wait_for_event(self, name: str, since: int) -> None:
        deadline = time.monotonic() + self.timeout
        while not any(e["method"] == name for e in self.events[since:]):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {name} within {self.timeout:.0f} s")
            message = json.loads(self._ws.recv())
            if "method" in message:
                self.events.append(message)

    def evaluate(self, expression: str):
        """The value of a JavaScript expression on the page (a promise is awaited)."""
        result = self.call("Runtime.evaluate", expression=expression, awaitPromise=True,
                           returnByValue=True, timeout=int(self.timeout * 1000))
        if "exceptionDetails" in result:
            raise RuntimeError(f"JavaScript failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def open(self, url: str) -> "PageVisit":
        """Load ``url``, wait for the load event, MathJax and every image; return what happened."""
        start = len(self.events)
        self.call("Page.navigate", url=url)
        self._wait_for_event("Page.loadEventFired", start)
        for attempt in range(3):
            mark = len(self.events)
            try:
                self.evaluate(_SETTLE_JS)
                break
            except RuntimeError as e:
                # the load event seen may have been the blank start page's, and the navigation committed
                # while the script ran (seen once in CI): wait for the next load event and settle again
                if "navigated or closed" not in str(e) or attempt == 2:
                    raise
                self._wait_for_event("Page.loadEventFired", mark)
        return PageVisit(url, start, self)

    def wait_for(self, expression: str) -> None:
        """Poll a JavaScript expression until it is true (within the timeout)."""
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                if self.evaluate(expression):
                    return
            except RuntimeError:          # the page was being replaced (a redirect)
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{expression} not true within {self.timeout:.0f} s")
            time.sleep(0.1)

    def screenshot(self, path: Path) -> None:
        import base64

        Path(path).write_bytes(base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"]))

    def close(self) -> None:
        ws = getattr(self, "_ws", None)
        if ws is not None:
            ws.close()
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


#: Resolves once MathJax (when the page loads it) has typeset and every <img> has loaded or failed.
_SETTLE_JS = """
(async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  await Promise.all([...document.images].map(img => img.complete ? null :
      new Promise(done => { img.addEventListener('load', done); img.addEventListener('error', done); })));
  return true;
})()
"""


class PageVisit:
    """What the browser did while loading one page."""

    def __init__(self, url: str, start: int, browser: Browser):
        self.url = url
        self._start = start
        self._browser = browser

    @property
    def events(self) -> list[dict]:
        """The browser's events since this page was opened (also those seen while waiting later)."""
        return self._browser.events[self._start:]

    @property
    def console_errors(self) -> list[str]:
        """Console errors, uncaught exceptions and failed loads, each as one line."""
        errors = []
        for e in self.events:
            p = e.get("params", {})
            if e["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                errors.append("console." + p["type"] + ": " + " ".join(
                    str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
            elif e["method"] == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                errors.append("exception: " + d.get("exception", {}).get("description", d.get("text", "")))
            elif e["method"] == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                errors.append(f"{p['entry'].get('source')}: {p['entry'].get('text')} {p['entry'].get('url', '')}")
        return errors

    @property
    def requested_urls(self) -> list[str]:
        """Every URL the page requested (the page itself, scripts, styles, images, fonts)."""
        return [e["params"]["request"]["url"] for e in self.events if e["method"] == "Network.requestWillBeSent"]
