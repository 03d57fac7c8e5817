"""``labeler serve`` in a real browser: headless Chromium over the DevTools protocol.

Chromium resolves no host but 127.0.0.1, so any request off the machine would fail fast and
still be recorded. The test signs in with a login link, renders the review screen, presses 10
keys and finds 10 labels, and checks that Ctrl+P reaches the app (its command palette opens)
while the browser's own Ctrl+P (print) is prevented. Skipped only when Chromium is absent
(``.ci/run`` installs Debian's ``chromium``).
"""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cdp_client import chromium, find_chromium
from conftest import StartServer
from web_helpers import wait_until

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"
)


async def test_the_review_screen_in_chromium(serve: StartServer, tmp_path: Path) -> None:
    assert CHROMIUM is not None
    served = await serve()
    secret = served.token("gina")
    async with chromium(CHROMIUM) as browser, browser.page() as page:
        await page.call("Page.navigate", url=f"{served.url}/login#token={secret}")
        await asyncio.wait_for(page.loaded.wait(), 20)
        page.loaded.clear()
        assert await page.evaluate("location.hash") == ""  # the secret left the address bar
        await page.evaluate("document.getElementById('go').click()")
        await asyncio.wait_for(page.loaded.wait(), 20)
        await page.wait_for_text("case-001", timeout=30)
        assert await page.evaluate("location.pathname") == "/"

        # Keys go to xterm.js's input, as when a person clicks into the page.
        await page.evaluate("document.querySelector('.xterm-helper-textarea').focus()")
        for _ in range(10):
            await page.key("1", code="Digit1", key_code=49, text="1")
            await asyncio.sleep(0.1)
        await wait_until(lambda: served.labels("gina") == 10, 30, "10 labels from 10 keys")

        # Ctrl+P opens the app's command palette; the browser's print is prevented.
        await page.evaluate(
            "window.__keys = [];"
            "window.addEventListener('keydown', e => window.__keys.push(e), true)"
        )
        await page.key("p", code="KeyP", key_code=80, ctrl=True)
        await page.wait_for_text("Search for commands", timeout=20)
        prevented = await page.evaluate(
            "window.__keys.filter(e => e.ctrlKey && e.key === 'p').map(e => e.defaultPrevented)"
        )
        assert prevented == [True]
        await page.key("Escape", code="Escape", key_code=27)

        fonts = await page.evaluate(
            "[...document.fonts].filter(f => f.style === 'normal')"
            ".map(f => f.family + ':' + f.status)"
        )
        assert fonts == ["Roboto Mono:loaded"]  # the bundled font, from this server
        shot = await page.call("Page.captureScreenshot")
        (tmp_path / "review.png").write_bytes(base64.b64decode(shot["data"]))

        # The same person opens the screen in a second tab: the first says why it closed.
        async with browser.page() as second:
            await second.call("Page.navigate", url=f"{served.url}/")
            await second.wait_for_text("case-011", timeout=30)
            await asyncio.wait_for(page.socket_closed.wait(), 20)
            shown = await page.evaluate(
                "document.body.classList.contains('-closed') &&"
                " document.getElementById('closed-message').textContent"
            )
            assert "another tab or window" in shown and "labels are saved" in shown
            requests = list(page.requests) + list(second.requests)
            console = list(page.console) + list(second.console)
    assert served.labels("gina") == 10
    hosts = {urlsplit(url).hostname for url in requests if not url.startswith("data:")}
    assert hosts == {"127.0.0.1"}, requests  # nothing off the machine
    assert any(url.endswith("/static/fonts/RobotoMono-VariableFont_wght.ttf") for url in requests)
    assert any(url.startswith(f"ws://127.0.0.1:{served.server.config.port}/ws") for url in requests)
    assert not [line for line in console if "Content Security Policy" in line], console
    assert not [line for line in console if "Failed to load" in line], console
