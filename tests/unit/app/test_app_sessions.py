"""The in-memory session store and key masking."""

import pytest
from pydantic import SecretStr

from app.sessions import Provider, SessionStore, mask


class _Clock:
    """A clock a test moves by hand."""

    now = 0.0

    def __call__(self) -> float:
        """Return the current fake time."""
        return self.now


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("sk-live-abcd", "****abcd"),
        ("12345678", "****5678"),
        ("1234567", "****"),
        ("x", "****"),
    ],
)
def test_mask_shows_last_four_of_keys_of_eight_or_more(key: str, shown: str) -> None:
    """Short keys are masked whole, so the tail never gives most of one away."""
    assert mask(SecretStr(key)) == shown


def test_session_ids_are_random_and_long() -> None:
    """Ids come from ``secrets``, so two sessions never share one."""
    store = SessionStore(idle_seconds=60)

    first, second = store.create(), store.create()

    assert first != second
    assert len(first) >= 32


def test_use_postpones_expiry_and_idleness_ends_it() -> None:
    """Each access restarts the idle timer; a full idle period drops the session."""
    clock = _Clock()
    store = SessionStore(idle_seconds=60, clock=clock)
    session_id = store.create()
    store.set_key(session_id, Provider.NOTION, SecretStr("secret_notion_value"))

    clock.now = 59
    assert Provider.NOTION in store.keys(session_id)
    clock.now = 118
    assert store.exists(session_id)
    clock.now = 178

    assert not store.exists(session_id)
    assert len(store) == 0


def test_set_key_on_unknown_session_raises() -> None:
    """A key cannot be stored under an id the store did not hand out."""
    store = SessionStore(idle_seconds=60)

    with pytest.raises(KeyError):
        store.set_key("made-up", Provider.OPENAI, SecretStr("sk-whatever-1234"))


def test_stored_keys_do_not_show_in_repr() -> None:
    """Keys are held as SecretStr, so printing the store's data hides them."""
    store = SessionStore(idle_seconds=60)
    session_id = store.create()
    store.set_key(session_id, Provider.OPENAI, SecretStr("sk-hidden-value-9z"))

    assert "sk-hidden-value-9z" not in repr(store.keys(session_id))
    assert "sk-hidden-value-9z" not in repr(vars(store))
