"""The reference FastAPI service that runs behind the secrets entrypoint.

It reads the ``.env`` the entrypoint wrote, reports liveness, readiness and
which settings are configured, and keeps users' own provider API keys in
memory for the length of a browser session.
"""
