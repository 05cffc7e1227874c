"""Users' own API keys, stored per session cookie under /session/api-keys."""

import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.routes.api_keys import COOKIE_NAME

OPENAI_KEY = "sk-user-openai-key-7f3kabcd"
NOTION_KEY = "secret_user_notion_key_wxyz"


def _put(client: TestClient, provider: str, key: str) -> None:
    """Store a key and insist it worked."""
    response = client.put(f"/session/api-keys/{provider}", json={"api_key": key})
    assert response.status_code == 200, response.text


def _listed(client: TestClient) -> dict[str, str]:
    """Return the masked keys the session has."""
    response = client.get("/session/api-keys")
    assert response.status_code == 200, response.text
    keys: dict[str, str] = response.json()["api_keys"]
    return keys


def test_put_get_delete_round_trip(client: TestClient) -> None:
    """A stored key is listed masked, and gone once deleted."""
    response = client.put("/session/api-keys/openai", json={"api_key": OPENAI_KEY})
    _put(client, "notion", NOTION_KEY)

    assert response.json() == {"provider": "openai", "api_key": "****abcd"}
    assert _listed(client) == {"openai": "****abcd", "notion": "****wxyz"}

    assert client.delete("/session/api-keys/openai").status_code == 204
    assert _listed(client) == {"notion": "****wxyz"}


def test_put_replaces_the_key_for_a_provider(client: TestClient) -> None:
    """A second PUT for one provider overwrites the first key."""
    _put(client, "deepseek", "sk-deepseek-first-1111")
    _put(client, "deepseek", "sk-deepseek-second-2222")

    assert _listed(client) == {"deepseek": "****2222"}


def test_short_key_is_masked_whole(client: TestClient) -> None:
    """A key under eight characters shows none of its characters."""
    _put(client, "anthropic", "k3y-z9")

    assert _listed(client) == {"anthropic": "****"}


def test_without_a_cookie_there_are_no_keys(client: TestClient) -> None:
    """GET and DELETE without a session succeed and find nothing."""
    assert _listed(client) == {}
    assert client.delete("/session/api-keys/openai").status_code == 204


def test_put_without_cookie_sets_a_strict_httponly_secure_cookie(
    client: TestClient,
) -> None:
    """The session cookie is out of reach of scripts and of other sites."""
    response = client.put("/session/api-keys/openai", json={"api_key": OPENAI_KEY})

    header = response.headers["set-cookie"].lower()
    assert header.startswith(f"{COOKIE_NAME}=")
    for attribute in ("httponly", "samesite=strict", "secure", "path=/"):
        assert attribute in header


def test_secure_flag_follows_the_setting(
    write_env: Callable[[dict[str, str]], Path], planted_settings: dict[str, str]
) -> None:
    """SESSION_COOKIE_SECURE=false drops Secure, for plain-HTTP development."""
    write_env({**planted_settings, "SESSION_COOKIE_SECURE": "false"})

    with TestClient(create_app()) as client:
        response = client.put("/session/api-keys/openai", json={"api_key": OPENAI_KEY})

    assert "secure" not in response.headers["set-cookie"].lower()


def test_an_unknown_cookie_gets_a_fresh_session_id(client: TestClient) -> None:
    """A client cannot choose its own session id by sending one."""
    client.cookies.set(COOKIE_NAME, "chosen-by-the-client")

    response = client.put("/session/api-keys/openai", json={"api_key": OPENAI_KEY})

    issued = response.cookies.get(COOKIE_NAME)
    assert issued
    assert issued != "chosen-by-the-client"


def test_two_sessions_do_not_see_each_others_keys(client: TestClient) -> None:
    """Keys belong to the cookie they were stored under."""
    other = TestClient(client.app, base_url="https://testserver")

    _put(client, "openai", OPENAI_KEY)
    _put(other, "notion", NOTION_KEY)

    assert _listed(client) == {"openai": "****abcd"}
    assert _listed(other) == {"notion": "****wxyz"}
    assert other.delete("/session/api-keys/openai").status_code == 204
    assert _listed(client) == {"openai": "****abcd"}


def test_keys_expire_after_idle_seconds(
    client: TestClient, advance_clock: Callable[[float], None]
) -> None:
    """With SESSION_IDLE_SECONDS=60, a session used 59 s ago lives, 60 s ago not."""
    _put(client, "openai", OPENAI_KEY)

    advance_clock(59)
    assert _listed(client) == {"openai": "****abcd"}
    advance_clock(59)
    assert _listed(client) == {"openai": "****abcd"}
    advance_clock(60)

    assert _listed(client) == {}


def test_a_new_app_instance_has_none_of_the_keys(client: TestClient) -> None:
    """Keys live in one process's memory: a restarted app does not know them."""
    _put(client, "openai", OPENAI_KEY)
    cookie = client.cookies[COOKIE_NAME]

    with TestClient(create_app(), base_url="https://testserver") as restarted:
        restarted.cookies.set(COOKIE_NAME, cookie)
        assert _listed(restarted) == {}


def test_stopping_the_app_forgets_the_keys(env_file: Path) -> None:
    """Leaving and re-entering the lifespan starts with an empty store."""
    app = create_app()
    with TestClient(app, base_url="https://testserver") as client:
        _put(client, "openai", OPENAI_KEY)
        cookie = client.cookies[COOKIE_NAME]

    with TestClient(app, base_url="https://testserver") as client:
        client.cookies.set(COOKIE_NAME, cookie)
        assert _listed(client) == {}


def test_keys_never_reach_the_logs(
    client: TestClient,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """With LOG_LEVEL=debug, events are logged but no key is in them."""
    caplog.set_level(logging.DEBUG)

    _put(client, "openai", OPENAI_KEY)
    _listed(client)
    client.delete("/session/api-keys/openai")
    client.put("/session/api-keys/notion", json={"api_key": NOTION_KEY + " x"})

    captured = capsys.readouterr()
    everything = caplog.text + captured.out + captured.err
    assert "session.key_stored provider=openai" in caplog.text
    assert "session.key_stored" in captured.err
    for key in (OPENAI_KEY, NOTION_KEY, OPENAI_KEY[-8:], NOTION_KEY[-8:]):
        assert key not in everything


def test_keys_are_never_written_to_disk(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing under the working, home or temporary directory holds a key."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("TMPDIR", str(tmp_path))

    _put(client, "openai", OPENAI_KEY)
    _listed(client)

    for path in (p for p in tmp_path.rglob("*") if p.is_file()):
        assert OPENAI_KEY.encode() not in path.read_bytes(), path


@pytest.mark.parametrize(
    "body",
    [
        {"api_key": ""},
        {"api_key": "   \n"},
        {"api_key": "sk-too-long-" + "q" * 600},
        {"api_key": "sk-has inner-space-1234"},
        {"api_key": "sk-has-control-\x07-1234"},
        {"api_key": 123456789012},
        {"key": "sk-wrong-field-name-5678"},
    ],
)
def test_invalid_key_is_rejected_without_echoing_it(
    client: TestClient, body: dict[str, object]
) -> None:
    """A 422 says which field is wrong but never repeats what was sent."""
    response = client.put("/session/api-keys/openai", json=body)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "body"
    sent = str(next(iter(body.values()))).strip()
    if sent:
        assert sent not in response.text
        assert sent[-4:] not in response.text
    assert _listed(client) == {}


def test_malformed_json_is_rejected_without_echoing_it(client: TestClient) -> None:
    """Even a body that is not JSON is not quoted back."""
    response = client.put(
        "/session/api-keys/openai",
        content=b'{"api_key": "sk-broken-json-5e7',
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 422
    assert "5e7" not in response.text


def test_unknown_provider_is_rejected(client: TestClient) -> None:
    """Only openai, anthropic, notion and deepseek are accepted."""
    response = client.put("/session/api-keys/acme", json={"api_key": OPENAI_KEY})

    assert response.status_code == 422
    assert OPENAI_KEY not in response.text
    assert _listed(client) == {}
