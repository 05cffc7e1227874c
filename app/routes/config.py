"""Which settings are configured, by name only."""

from fastapi import APIRouter

from app.settings import key_status
from app.state import State

router = APIRouter(tags=["config"])


@router.get("/config")
def config(state: State) -> dict[str, list[str]]:
    """List the setting names that have a value and those that have none."""
    set_names, unset_names = key_status(state.settings)
    return {"set": set_names, "unset": unset_names}
