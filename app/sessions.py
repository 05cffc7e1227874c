"""Users' own provider API keys, held in memory per browser session."""

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import SecretStr

Clock = Callable[[], float]

# Fewer than this many characters and showing the last four would reveal
# most of the key.
MIN_LENGTH_TO_SHOW_TAIL = 8
MASK = "****"


class Provider(StrEnum):
    """The services a user can bring a key for."""

    OPENAI = "openai"
    ANTHROPIC = "anthropic"
    NOTION = "notion"
    DEEPSEEK = "deepseek"


def mask(key: SecretStr) -> str:
    """Show the last four characters of a long key, nothing of a short one."""
    value = key.get_secret_value()
    if len(value) < MIN_LENGTH_TO_SHOW_TAIL:
        return MASK
    return MASK + value[-4:]


@dataclass
class _Session:
    """One session's keys and when it was last used."""

    last_seen: float
    keys: dict[Provider, SecretStr] = field(default_factory=dict)


class SessionStore:
    """Sessions keyed by a random id, forgotten after a stretch of idleness.

    Nothing here is persisted: a restart starts with no sessions. Every
    method takes the lock, because sync routes run in a thread pool.
    """

    def __init__(self, idle_seconds: float, clock: Clock = time.monotonic) -> None:
        """Expire sessions unused for ``idle_seconds`` as measured by ``clock``."""
        self._idle_seconds = idle_seconds
        self._clock = clock
        self._sessions: dict[str, _Session] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """Return how many sessions are live."""
        with self._lock:
            self._expire()
            return len(self._sessions)

    def create(self) -> str:
        """Start an empty session and return its id."""
        session_id = secrets.token_urlsafe(32)
        with self._lock:
            self._expire()
            self._sessions[session_id] = _Session(last_seen=self._clock())
        return session_id

    def exists(self, session_id: str | None) -> bool:
        """Tell whether ``session_id`` names a live session, refreshing it."""
        with self._lock:
            return self._touch(session_id) is not None

    def keys(self, session_id: str | None) -> dict[Provider, SecretStr]:
        """Return a copy of a session's keys; none for an unknown session."""
        with self._lock:
            session = self._touch(session_id)
            return dict(session.keys) if session else {}

    def set_key(self, session_id: str, provider: Provider, key: SecretStr) -> None:
        """Store ``key`` for ``provider``; an unknown session raises KeyError."""
        with self._lock:
            session = self._touch(session_id)
            if session is None:
                raise KeyError("unknown or expired session")
            session.keys[provider] = key

    def delete_key(self, session_id: str | None, provider: Provider) -> bool:
        """Forget a session's key for ``provider``; tell whether there was one."""
        with self._lock:
            session = self._touch(session_id)
            return session is not None and session.keys.pop(provider, None) is not None

    def clear(self) -> None:
        """Forget every session."""
        with self._lock:
            self._sessions.clear()

    def _touch(self, session_id: str | None) -> _Session | None:
        """Return a live session and mark it used now; the lock must be held."""
        self._expire()
        session = self._sessions.get(session_id) if session_id else None
        if session is not None:
            session.last_seen = self._clock()
        return session

    def _expire(self) -> None:
        """Drop idle sessions; the lock must be held."""
        cutoff = self._clock() - self._idle_seconds
        for session_id in [
            sid for sid, s in self._sessions.items() if s.last_seen <= cutoff
        ]:
            del self._sessions[session_id]
