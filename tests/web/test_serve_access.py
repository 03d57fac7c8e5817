"""``labeler serve`` lets in only a signed-in reviewer, from the served origin.

Browser-free: aiohttp's client plays the browser. Each refusal is shown to start no process.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import aiohttp
import pytest
from conftest import OPERATOR, StartServer
from web_helpers import client, close_quietly, open_screen, post_login, sign_in
from yarl import URL

from labeler.login_tokens import digest, revoke
from labeler.web.server import CLOSE_REVOKED


async def test_without_the_cookie_every_page_the_socket_and_downloads_are_403(
    serve: StartServer,
) -> None:
    served = await serve()
    async with client() as http:
        for path in ("/", "/static/js/textual.js", "/static/fonts/", "/download/abc", "/nope"):
            response = await http.get(f"{served.url}{path}")
            assert response.status == 403, path
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(f"{served.url}/ws", origin=served.origin)
        assert refused.value.status == 403
        # Only the login page and the page's own scripts and styles are public.
        assert (await http.get(f"{served.url}/login")).status == 200
        assert (await http.get(f"{served.url}/assets/login.js")).status == 200
    assert served.server.sessions == {}


async def test_a_forged_or_foreign_cookie_is_403(serve: StartServer) -> None:
    served = await serve()
    other = await serve()
    http = await sign_in(other, "alice")  # signed in to another server and store
    try:
        cookie = next(iter(http.cookie_jar)).value
        async with client() as forger:
            for name in (served.server.cookie, other.server.cookie):
                response = await forger.get(f"{served.url}/", cookies={name: cookie})
                assert response.status == 403
                response = await forger.get(f"{served.url}/", cookies={name: "x" * 43})
                assert response.status == 403
    finally:
        await close_quietly(http)


async def test_the_socket_needs_the_served_origin(serve: StartServer) -> None:
    served = await serve()
    http = await sign_in(served, "alice")
    try:
        assert (await http.get(f"{served.url}/")).status == 200
        port = served.server.config.port
        for origin in (
            "http://evil.example",
            f"http://localhost:{port}",  # the same server under another name
            f"http://127.0.0.1:{port + 1}",
            f"https://127.0.0.1:{port}",
            "null",
        ):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await http.ws_connect(f"{served.url}/ws", origin=origin)
            assert refused.value.status == 403, origin
        # No Origin at all (not a browser page) is refused too.
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(f"{served.url}/ws", headers={"Origin": ""})
        assert refused.value.status == 403
        assert served.server.sessions == {}
    finally:
        await close_quietly(http)


async def test_a_login_form_posted_from_another_origin_is_refused_and_spends_nothing(
    serve: StartServer,
) -> None:
    served = await serve()
    secret = served.token("alice")
    async with client() as http:
        response = await post_login(http, served, secret, origin="http://evil.example")
        assert response.status == 403
        response = await post_login(http, served, secret)
        assert response.status == 303  # the link still works from the real page


async def test_a_login_link_works_once(serve: StartServer) -> None:
    served = await serve()
    secret = served.token("alice")
    first, second = client(), client()
    try:
        assert (await post_login(first, served, secret)).status == 303
        response = await post_login(second, served, secret)
        assert response.status == 403
        assert "already used" in await response.text()
        assert (await second.get(f"{served.url}/")).status == 403
        # The person who signed in may open the link again and stays signed in.
        assert (await post_login(first, served, secret)).status == 303
        assert (await first.get(f"{served.url}/")).status == 200
    finally:
        await close_quietly(first, second)


async def test_a_wrong_token_is_refused(serve: StartServer) -> None:
    served = await serve()
    served.token("alice")
    async with client() as http:
        for secret in ("", "nope", "x" * 43, "x" * 5000):
            response = await post_login(http, served, secret)
            assert response.status == 403, secret[:10]
        assert (await http.get(f"{served.url}/")).status == 403


async def test_a_revoked_token_is_refused_and_its_open_session_closed(
    serve: StartServer,
) -> None:
    served = await serve(access_check=0.3)
    unused = served.token("bob")
    http = await sign_in(served, "alice")
    screen = await open_screen(http, served)
    try:
        await screen.wait_for("case-001")
        assert revoke(served.store, OPERATOR, "alice") == [2]
        assert revoke(served.store, OPERATOR, "bob") == [1]
        await screen.wait_closed(timeout=10)
        assert screen.close_code == CLOSE_REVOKED
        assert "revoked" in screen.close_reason
        assert (await http.get(f"{served.url}/")).status == 403
        async with client() as late:
            assert (await post_login(late, served, unused)).status == 403
    finally:
        await close_quietly(screen, http)


async def test_an_expired_token_or_cookie_is_refused(serve: StartServer) -> None:
    served = await serve()
    secret = served.token("alice")
    http = await sign_in(served, "bob")
    try:
        served.store.conn.execute("UPDATE web_tokens SET expires_at = '2001-01-01T00:00:00.000Z'")
        async with client() as late:
            response = await post_login(late, served, secret)
            assert response.status == 403
            assert "expired" in await response.text()
        response = await http.get(f"{served.url}/")
        assert response.status == 403 and "expired" in await response.text()
        with pytest.raises(aiohttp.WSServerHandshakeError):
            await http.ws_connect(f"{served.url}/ws", origin=served.origin)
    finally:
        await close_quietly(http)


async def test_the_cookie_is_httponly_samesite_strict_and_secure_under_https(
    serve: StartServer,
) -> None:
    plain = await serve()
    behind_tls = await serve(public_url="https://labels.example.com")
    async with client() as http:
        response = await post_login(http, plain, plain.token("alice"))
        morsel = response.cookies[plain.server.cookie]
        assert morsel["httponly"] and morsel["samesite"] == "Strict"
        assert not morsel["secure"]
        assert 3500 < int(morsel["max-age"]) <= 3600  # it ends with the token
    async with client() as http:
        response = await http.post(
            f"http://127.0.0.1:{behind_tls.server.config.port}/login",  # as the proxy forwards
            data={"token": behind_tls.token("bob")},
            headers={"Origin": "https://labels.example.com"},
            allow_redirects=False,
        )
        assert response.status == 303
        assert response.headers["Location"] == "/"
        assert response.cookies[behind_tls.server.cookie]["secure"]


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
async def test_under_tls_the_cookie_is_secure_and_the_socket_is_wss(
    serve: StartServer, tmp_path: Path
) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    make = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    subprocess.run(
        [*make, "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    served = await serve(tls_cert=cert, tls_key=key)
    assert served.url.startswith("https://127.0.0.1:")
    async with client(verify_tls=False) as http:
        response = await post_login(http, served, served.token("alice"))
        assert response.status == 303
        assert response.cookies[served.server.cookie]["secure"]
        page = await (await http.get(f"{served.url}/")).text()
        assert f"wss://127.0.0.1:{served.server.config.port}/ws" in page
        screen = await open_screen(http, served)
        try:
            await screen.wait_for("case-001")
        finally:
            await close_quietly(screen)
    async with client() as plain:  # the certificate is checked by default: refused
        with pytest.raises(aiohttp.ClientConnectorError):
            await plain.get(f"{served.url}/login")


async def test_the_store_keeps_only_hashes(serve: StartServer) -> None:
    served = await serve()
    secret = served.token("alice")
    async with client() as http:
        await post_login(http, served, secret)
        cookie = http.cookie_jar.filter_cookies(URL(served.url))[served.server.cookie].value
    dump = "\n".join(served.store.conn.iterdump())
    assert secret not in dump and cookie not in dump
    assert digest(secret) in dump and digest(cookie) in dump


async def test_every_response_forbids_framing_and_off_machine_loads(serve: StartServer) -> None:
    served = await serve()
    http = await sign_in(served, "alice")
    try:
        for path in ("/", "/login", "/assets/page.js", "/static/js/textual.js"):
            response = await http.get(f"{served.url}{path}")
            assert response.status == 200, path
            headers = response.headers
            assert headers["X-Frame-Options"] == "DENY"
            policy = headers["Content-Security-Policy"]
            assert "frame-ancestors 'none'" in policy and "default-src 'none'" in policy
            port = served.server.config.port
            assert f"connect-src 'self' ws://127.0.0.1:{port};" in policy
        page = await (await http.get(f"{served.url}/")).text()
        assert "googleapis" not in page and "https://" not in page
        assert f"ws://127.0.0.1:{served.server.config.port}/ws" in page
    finally:
        await close_quietly(http)


async def test_a_download_is_served_only_to_its_own_reviewer(serve: StartServer) -> None:
    served = await serve()

    class Owner:
        owner = ("alice", "review")
        app_service_id = "x"

    manager = served.server.download_manager
    await manager.create_download(
        app_service=Owner(),  # type: ignore[arg-type]
        delivery_key="k1",
        file_name="shot.svg",
        open_method="download",
        mime_type="image/svg+xml",
    )
    bob = await sign_in(served, "bob")
    try:
        assert (await bob.get(f"{served.url}/download/k1")).status == 404
        async with client() as anonymous:
            assert (await anonymous.get(f"{served.url}/download/k1")).status == 403
    finally:
        await close_quietly(bob)


@pytest.mark.parametrize(
    ("options", "wording"),
    [
        ({"host": "0.0.0.0"}, "plain HTTP to the network"),
        ({"host": "192.0.2.7"}, "plain HTTP to the network"),
        ({"host": "0.0.0.0", "insecure_http": True}, "--public-url"),
        ({"tls_cert": "cert.pem"}, "both --tls-cert and --tls-key"),
        ({"public_url": "ftp://x"}, "http:// or https://"),
    ],
)
def test_unsafe_or_inconsistent_options_are_refused(
    options: dict[str, object], wording: str, tmp_path: object
) -> None:
    from pathlib import Path

    from labeler.web.config import ServeConfig, check_config

    if "tls_cert" in options:
        options = {"tls_cert": Path(str(tmp_path)) / "cert.pem"}
    config = ServeConfig(store_path=Path("s.db"), **options)  # type: ignore[arg-type]
    with pytest.raises(ValueError) as refused:
        check_config(config)
    assert wording in str(refused.value)


def test_allowed_options_give_the_public_url() -> None:
    from pathlib import Path

    from labeler.web.config import ServeConfig, check_config

    assert check_config(ServeConfig(store_path=Path("s"))) == "http://127.0.0.1:8765"
    assert check_config(ServeConfig(store_path=Path("s"), host="::1", port=9)) == "http://[::1]:9"
    lan = ServeConfig(
        store_path=Path("s"), host="0.0.0.0", insecure_http=True, public_url="http://h:1/x/"
    )
    assert check_config(lan) == "http://h:1/x"
