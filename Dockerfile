# syntax=docker/dockerfile:1
# One image for the GitHub App: `slopguard serve` (default) and `slopguard worker`.
#   docker build -t slopguard .
#   docker run -p 8080:8080 --env-file deploy/.env slopguard                # webhook service
#   docker run --env-file deploy/.env slopguard worker                      # a queue worker
# Dependencies are pinned by deploy/requirements.lock (regenerate with deploy/lock.py); slopguard
# itself is installed from the wheel built in the first stage, as `pip install slopguard` would.

# ---------------------------------------------------------------- wheel: build slopguard's wheel
FROM python:3.11-slim AS wheel
ARG SETUPTOOLS_VERSION=80.9.0
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY service ./service
COPY rules ./rules
# The wheel holds the slopguard package only (rules inside it as slopguard/rules); fail otherwise.
RUN pip install "setuptools==${SETUPTOOLS_VERSION}" \
 && pip wheel --no-deps --no-build-isolation --wheel-dir /wheels /src \
 && python -c "import glob, zipfile; names = zipfile.ZipFile(glob.glob('/wheels/slopguard-*.whl')[0]).namelist(); \
stray = [n for n in names if not n.startswith(('slopguard/', 'slopguard-'))]; \
assert not stray, stray; assert 'slopguard/rules/rulesets/recommended.yml' in names"

# ---------------------------------------------------------------- builder: a venv with the wheel installed
FROM python:3.11-slim AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# Pinned third-party dependencies first: this layer is cached until the lock changes.
COPY deploy/requirements.lock /tmp/requirements.lock
RUN pip install --no-deps -r /tmp/requirements.lock
# The project itself: the built wheel, no source tree. The rules are package data in site-packages.
COPY --from=wheel /wheels /tmp/wheels
RUN pip install --no-deps /tmp/wheels/slopguard-*.whl \
 && rm -rf /tmp/wheels \
 && pip check \
 && python -c "import importlib.util; from slopguard.config import RULES_DIR; \
assert str(RULES_DIR).startswith('/opt/venv/') and (RULES_DIR / 'rulesets' / 'recommended.yml').is_file(), RULES_DIR; \
assert importlib.util.find_spec('service') is None, 'a top-level service package is installed'"

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
 && python -c "from slopguard.config import RULES_DIR; assert str(RULES_DIR).startswith('/opt/venv/'), RULES_DIR" \
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
