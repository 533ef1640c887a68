"""A headless Chromium driven over the DevTools protocol (a WebSocket), for the dashboard's browser tests.

Debian's ``chromium`` package is the browser (``.ci/run`` installs it when it is missing). The protocol
client is the ``websockets`` package's synchronous client, read by a thread: ``call(method, **params)``
sends one command and returns its result; ``evaluate(js)`` runs JavaScript in the page and returns its
value. mock_td answers the page's HTTP requests only while frames play, so while a command waits for
its answer the browser keeps playing frames on the main thread through its ``Pacer`` (real time).
"""

from __future__ import annotations

import base64
import json
import queue
import shutil
import subprocess
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from websockets.sync.client import connect

NAMES = ("chromium", "chromium-browser", "google-chrome")


def find_chromium() -> str | None:
    """The Chromium executable on PATH, or None."""
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


class Pacer:
    """Plays a mock_td session's frames in real time: ``tick()`` plays the next frame when its time has come."""

    def __init__(self, session: Any, fps: float = 60.0) -> None:
        self.session = session
        self.fps = fps
        self.start = time.monotonic()
        self.frames = 0

    def tick(self) -> None:
        due = self.start + (self.frames + 1) / self.fps
        now = time.monotonic()
        if now < due:
            time.sleep(min(0.001, due - now))
            return
        if now - due > 0.25:  # far behind (a slow step): do not play a burst of catch-up frames
            self.start = now - (self.frames + 1) / self.fps
        self.frames += 1
        self.session.advance(1)


class Browser:
    """One headless Chromium with one page; commands wait while ``pacer`` (when set) plays frames."""

    def __init__(self, profile: Path, width: int = 1280, height: int = 900) -> None:
        executable = find_chromium()
        if executable is None:
            raise RuntimeError("chromium is not installed (apt-get install chromium)")
        self.pacer: Pacer | None = None
        self.process = subprocess.Popen(
            [executable, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--mute-audio",
             "--disable-extensions", "--disable-background-networking", "--remote-debugging-port=0",
             f"--user-data-dir={profile}", f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        endpoint = self._devtools_endpoint()
        port = endpoint.split(":")[2].split("/")[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as answer:
            pages = [t for t in json.load(answer) if t["type"] == "page"]
        self.ws = connect(pages[0]["webSocketDebuggerUrl"], max_size=None, ping_interval=None,
                          open_timeout=10).__enter__()
        self._next = 0
        self._replies: dict[int, dict[str, Any]] = {}
        self._lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()
        self.call("Runtime.enable")

    def _read(self) -> None:
        try:
            for text in self.ws:
                message = json.loads(text)
                if "id" in message:
                    with self._lock:
                        self._replies[message["id"]] = message
        except Exception:  # noqa: BLE001 - the browser went away
            pass

    def _devtools_endpoint(self) -> str:
        lines: queue.Queue[str] = queue.Queue()
        stderr = self.process.stderr
        assert stderr is not None

        def read() -> None:
            for line in stderr:
                lines.put(line)

        threading.Thread(target=read, daemon=True).start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=0.5)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            if "DevTools listening on " in line:
                return line.split("DevTools listening on ", 1)[1].strip()
        self.close()
        raise RuntimeError("chromium did not open its DevTools endpoint")

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one DevTools command and return its result; frames play (``pacer``) while it waits."""
        with self._lock:
            self._next += 1
            ident = self._next
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        deadline = time.monotonic() + 30
        while True:
            with self._lock:
                message = self._replies.pop(ident, None)
            if message is not None:
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"chromium did not answer {method} within 30 s")
            if self.pacer is not None:
                self.pacer.tick()
            else:
                time.sleep(0.001)
        if "error" in message:
            raise RuntimeError(f"{method}: {message['error']}")
        return dict(message.get("result", {}))

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (exceptions are raised here)."""
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def open(self, url: str) -> None:
        """Load ``url`` (frames play while the page loads)."""
        self.call("Page.navigate", url=url)

    def screenshot(self, path: Path, width: int | None = None, height: int | None = None) -> None:
        """A PNG of the page (at ``width`` x ``height`` CSS pixels when given)."""
        if width is not None and height is not None:
            self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                      mobile=width < 600)
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:  # noqa: BLE001 - closing anyway
            pass
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def play_until(session: Any, browser: Browser, expression: str, timeout: float = 10.0) -> float:
    """Play frames in real time until the page's ``expression`` is true; the wall seconds it took."""
    if browser.pacer is None or browser.pacer.session is not session:
        browser.pacer = Pacer(session)
    start = time.monotonic()
    while not browser.evaluate(expression):
        if time.monotonic() - start > timeout:
            raise AssertionError(f"the page never showed {expression} within {timeout} s")
        browser.pacer.tick()
    return time.monotonic() - start
