"""What the routes share: the settings, the session store, the database check."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from pydantic import SecretStr

from app.db import DatabaseStatus
from app.sessions import SessionStore
from app.settings import Settings

DatabaseCheck = Callable[[SecretStr], Awaitable[DatabaseStatus]]


@dataclass(frozen=True)
class AppState:
    """Everything the lifespan sets up for the routes."""

    settings: Settings
    sessions: SessionStore
    check_database: DatabaseCheck


def get_state(request: Request) -> AppState:
    """Return the state the lifespan stored on the application."""
    state = getattr(request.app.state, "app_state", None)
    if isinstance(state, AppState):
        return state
    raise RuntimeError(
        "the app has not started: its lifespan sets up the state. "
        "Hint: serve it with uvicorn, or enter TestClient with `with`."
    )


State = Annotated[AppState, Depends(get_state)]
