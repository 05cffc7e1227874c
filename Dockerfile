# The reference app behind the secrets entrypoint.
#
#   docker build -t secrets-entrypoint/app:dev .
#   docker build --build-arg BASE_IMAGE=secrets-entrypoint/base:bookworm ...
#
# BASE_IMAGE may be python:3.12-slim or the Debian 12 stand-in that
# scripts/build-images makes when no registry is reachable (Debian's Python
# 3.11, useradd but no adduser): only what both share is used here.
# Written for the legacy builder too (Docker 20.10): no BuildKit syntax.
#
# The container starts as root only so that `entrypoint` can read root-only
# secrets; it writes the .env and drops to the unprivileged user `app`
# (uid/gid 10001) before it execs the server.
ARG BASE_IMAGE=python:3.12-slim
FROM ${BASE_IMAGE}

# Build-time only (ARGs are in the environment of RUN, not of the container).
ARG PIP_NO_CACHE_DIR=1
ARG PIP_DISABLE_PIP_VERSION_CHECK=1
ARG PIP_ROOT_USER_ACTION=ignore

ENV PATH=/opt/venv/bin:$PATH \
    ENTRYPOINT_USER=app \
    ENTRYPOINT_MANIFEST=/etc/app/secrets.example \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

RUN set -eu; \
    groupadd --system --gid 10001 app; \
    useradd --system --uid 10001 --gid app --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin app; \
    python3 -m venv /opt/venv

# Dependencies first, from pyproject.toml alone: editing the source does not
# invalidate this layer. pip trusts the image's system CA bundle when there is
# one (the stand-in base carries the build host's bundle, proxy CA included).
COPY pyproject.toml /src/pyproject.toml
RUN set -eu; \
    if [ -f /etc/ssl/certs/ca-certificates.crt ]; then \
        export PIP_CERT=/etc/ssl/certs/ca-certificates.crt; \
    fi; \
    /opt/venv/bin/python -c 'import re, tomllib; p = tomllib.load(open("/src/pyproject.toml", "rb")); own = p["project"]["name"]; reqs = p["build-system"]["requires"] + p["project"]["dependencies"] + p["project"]["optional-dependencies"]["app"]; print("\n".join(r for r in reqs if re.split(r"[\s\[<>=!~;]", r, maxsplit=1)[0] != own))' \
        > /tmp/requirements.txt; \
    cat /tmp/requirements.txt; \
    pip install -r /tmp/requirements.txt; \
    rm -f /tmp/requirements.txt

# The project itself (its dependencies and build backend are already there).
COPY README.md secrets.example /src/
COPY entrypoint /src/entrypoint
COPY secretsctl /src/secretsctl
COPY app /src/app
RUN set -eu; \
    if [ -f /etc/ssl/certs/ca-certificates.crt ]; then \
        export PIP_CERT=/etc/ssl/certs/ca-certificates.crt; \
    fi; \
    pip install --no-build-isolation '/src[app]'; \
    install -D -m 0644 /src/secrets.example /etc/app/secrets.example; \
    rm -rf /src; \
    entrypoint --version

EXPOSE 8000

HEALTHCHECK --interval=5s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/opt/venv/bin/python", "-c", "import sys, urllib.request as u; r = u.build_opener(u.ProxyHandler({})).open('http://127.0.0.1:8000/healthz', timeout=4); sys.exit(0 if r.status == 200 else 1)"]

ENTRYPOINT ["entrypoint"]
CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]
