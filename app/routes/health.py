"""Liveness and readiness probes."""

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.logs import LOGGER_NAME
from app.state import State

logger = logging.getLogger(LOGGER_NAME)
router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Answer as long as the process serves requests; the database is not asked."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "The database is not usable"}})
async def readyz(state: State) -> JSONResponse:
    """Answer 200 only when PostgreSQL answers ``SELECT 1``."""
    status = await state.check_database(state.settings.DATABASE_URL)
    if status.ok:
        return JSONResponse({"status": "ready"})

    logger.warning("readiness.failed reason=%r", status.reason)
    return JSONResponse(
        {"status": "unavailable", "reason": status.reason}, status_code=503
    )
