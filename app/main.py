"""The application factory, and the ``app`` uvicorn serves.

Run it with ``uvicorn app.main:app``; the settings are read when it starts,
from the dotenv file named by ``ENV_FILE``.
"""

import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from app.db import check_database_async
from app.logs import LOGGER_NAME, configure_logging
from app.routes import api_keys, config, health
from app.sessions import Clock, SessionStore
from app.settings import env_file_path, load_settings
from app.state import AppState, DatabaseCheck

logger = logging.getLogger(LOGGER_NAME)


def create_app(
    *,
    clock: Clock = time.monotonic,
    check_database: DatabaseCheck = check_database_async,
) -> FastAPI:
    """Build the service; ``clock`` times session idleness, tests pass a fake."""
    app = FastAPI(
        title="secrets-entrypoint reference app",
        lifespan=_lifespan(clock, check_database),
    )
    app.exception_handler(RequestValidationError)(validation_error_handler)
    for module in (health, config, api_keys):
        app.include_router(module.router)
    return app


def _lifespan(
    clock: Clock, check_database: DatabaseCheck
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Return the lifespan that loads the settings once, at startup."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings = load_settings()
        configure_logging(settings.LOG_LEVEL)
        sessions = SessionStore(settings.SESSION_IDLE_SECONDS, clock)
        app.state.app_state = AppState(settings, sessions, check_database)
        logger.info("settings.loaded env_file=%s", env_file_path())
        try:
            yield
        finally:
            sessions.clear()
            del app.state.app_state

    return lifespan


async def validation_error_handler(
    request: Request, exc: RequestValidationError
) -> JSONResponse:
    """Report what was wrong with a request without quoting it.

    FastAPI's own handler echoes each invalid input back, which for an API key
    would put the key in the response.
    """
    detail = [
        {"loc": list(error["loc"]), "type": error["type"], "msg": error["msg"]}
        for error in exc.errors()
    ]
    return JSONResponse({"detail": detail}, status_code=422)


app = create_app()
