"""Users' own provider API keys, tied to a session cookie."""

import logging
from typing import Annotated

from fastapi import APIRouter, Cookie, Response, status
from pydantic import BaseModel, Field, SecretStr, field_validator

from app.logs import LOGGER_NAME
from app.sessions import Provider, mask
from app.state import AppState, State

COOKIE_NAME = "session_id"
MAX_KEY_LENGTH = 512

logger = logging.getLogger(LOGGER_NAME)
router = APIRouter(prefix="/session/api-keys", tags=["session"])
SessionCookie = Annotated[str | None, Cookie(alias=COOKIE_NAME)]


class ApiKeyIn(BaseModel):
    """The body of a PUT; the key is held as a secret from the moment it is read."""

    api_key: SecretStr = Field(min_length=1, max_length=MAX_KEY_LENGTH)

    @field_validator("api_key", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        """Drop the newline a pasted key often brings along."""
        return value.strip() if isinstance(value, str) else value

    @field_validator("api_key")
    @classmethod
    def _printable(cls, value: SecretStr) -> SecretStr:
        """Refuse spaces and control characters, which no provider's keys have."""
        text = value.get_secret_value()
        if not text.isprintable() or any(char.isspace() for char in text):
            raise ValueError("must not contain spaces or control characters")
        return value


class ApiKeyOut(BaseModel):
    """One stored key, masked."""

    provider: Provider
    api_key: str


class ApiKeysOut(BaseModel):
    """A session's stored keys, masked, by provider."""

    api_keys: dict[Provider, str]


@router.put("/{provider}")
def put_api_key(
    provider: Provider,
    body: ApiKeyIn,
    state: State,
    response: Response,
    session_id: SessionCookie = None,
) -> ApiKeyOut:
    """Store a key for this session, starting a session if there is none."""
    if session_id is None or not state.sessions.exists(session_id):
        session_id = _start_session(state, response)

    state.sessions.set_key(session_id, provider, body.api_key)
    logger.debug("session.key_stored provider=%s", provider.value)
    return ApiKeyOut(provider=provider, api_key=mask(body.api_key))


@router.get("")
def get_api_keys(state: State, session_id: SessionCookie = None) -> ApiKeysOut:
    """Show which providers this session has a key for, each key masked."""
    keys = state.sessions.keys(session_id)
    return ApiKeysOut(api_keys={name: mask(key) for name, key in keys.items()})


@router.delete("/{provider}", status_code=status.HTTP_204_NO_CONTENT)
def delete_api_key(
    provider: Provider, state: State, session_id: SessionCookie = None
) -> None:
    """Forget this session's key for ``provider``; deleting twice is not an error."""
    if state.sessions.delete_key(session_id, provider):
        logger.debug("session.key_deleted provider=%s", provider.value)


def _start_session(state: AppState, response: Response) -> str:
    """Create a session and hand its id to the browser in a cookie."""
    session_id = state.sessions.create()
    response.set_cookie(
        COOKIE_NAME,
        session_id,
        httponly=True,
        samesite="strict",
        secure=state.settings.SESSION_COOKIE_SECURE,
        path="/",
    )
    logger.debug("session.created")
    return session_id
