"""The /config route: which settings are configured, by name only."""

from fastapi.testclient import TestClient

from app.settings import Settings


def test_config_lists_set_and_unset_names(client: TestClient) -> None:
    """Provider keys absent from the file are unset; everything else is set."""
    body = client.get("/config").json()

    assert body["unset"] == ["ANTHROPIC_API_KEY", "NOTION_API_KEY", "DEEPSEEK_API_KEY"]
    assert "OPENAI_API_KEY" in body["set"]
    assert "DATABASE_URL" in body["set"]
    assert sorted(body["set"] + body["unset"]) == sorted(Settings.model_fields)


def test_config_reveals_no_planted_value(
    client: TestClient, planted_settings: dict[str, str]
) -> None:
    """Only names come back: no value from the file appears in the response."""
    text = client.get("/config").text

    for name, value in planted_settings.items():
        if name not in {"LOG_LEVEL", "SESSION_IDLE_SECONDS", "POSTGRES_PORT"}:
            assert value not in text, name
