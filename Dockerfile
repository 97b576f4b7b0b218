# syntax=docker/dockerfile:1
# One image for the GitHub App: `slopguard serve` (default) and `slopguard worker`.
#   docker build -t slopguard .
#   docker run -p 8080:8080 --env-file deploy/.env slopguard                # webhook service
#   docker run --env-file deploy/.env slopguard worker                      # a queue worker
# Dependencies are pinned by deploy/requirements.lock (regenerate with deploy/lock.py).

# ---------------------------------------------------------------- builder: a venv with everything
FROM python:3.11-slim AS builder
ARG SETUPTOOLS_VERSION=80.9.0
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# Pinned third-party dependencies first: this layer is cached until the lock changes.
COPY deploy/requirements.lock /tmp/requirements.lock
RUN pip install --no-deps -r /tmp/requirements.lock \
 && pip install "setuptools==${SETUPTOOLS_VERSION}"
# The project itself, installed in place: slopguard.config finds the rules in /app/rules, the
# directory next to the service/ package, so the source tree stays whole under /app.
WORKDIR /app
COPY pyproject.toml README.md ./
COPY service ./service
COPY rules ./rules
RUN pip install --no-deps --no-build-isolation -e /app \
 && pip uninstall -y setuptools \
 && pip check \
 && python -m compileall -q /app/service \
 && python -c "from slopguard.config import RULES_DIR; from pathlib import Path; \
assert RULES_DIR == Path('/app/rules') and (RULES_DIR / 'rulesets' / 'recommended.yml').is_file(), RULES_DIR"

# ---------------------------------------------------------------- runtime: slim, non-root
FROM python:3.11-slim AS runtime
LABEL org.opencontainers.image.title="slopguard" \
      org.opencontainers.image.description="A reviewer for the documented failure modes of AI-written pull requests" \
      org.opencontainers.image.licenses="Apache-2.0"
# git fetches the pull requests; ca-certificates for https clones.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 slopguard \
 && useradd --system --uid 10001 --gid slopguard --home-dir /home/slopguard --create-home \
            --shell /usr/sbin/nologin slopguard \
 && mkdir -p /var/lib/slopguard \
 && chown slopguard:slopguard /var/lib/slopguard
COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /app /app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    SEMGREP_ENABLE_VERSION_CHECK=0 \
    SEMGREP_SEND_METRICS=off \
    SLOPGUARD_WORKDIR=/var/lib/slopguard \
    XDG_CACHE_HOME=/var/lib/slopguard/cache
# Fail the build if the semgrep-core binary from the semgrep wheel or the rules are missing.
RUN python -c "import importlib.util, pathlib, subprocess; \
spec = importlib.util.find_spec('semgrep'); \
core = pathlib.Path(list(spec.submodule_search_locations)[0]) / 'bin' / 'semgrep-core'; \
subprocess.run([str(core), '-version'], check=True, capture_output=True)" \
 && python -c "from slopguard.config import RULES_DIR; assert str(RULES_DIR) == '/app/rules', RULES_DIR" \
 && slopguard rules > /dev/null \
 && git --version
USER 10001:10001
WORKDIR /var/lib/slopguard
VOLUME ["/var/lib/slopguard"]
EXPOSE 8080
# Liveness of the webhook service (the worker has no HTTP port: compose and Kubernetes override or
# drop this check for it). Python, not curl: the slim image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status == 200 else 1)"]
ENTRYPOINT ["slopguard"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
