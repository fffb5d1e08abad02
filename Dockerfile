# syntax=docker/dockerfile:1
# Build stage: pip and the build backend live here only. Every dependency ships as a
# wheel, so no compiler is needed even here; none reaches the runtime stage.
# The base is pinned by digest (the tag's last build), so a re-pushed tag changes nothing.
FROM python:3.11.10-slim-bookworm@sha256:840e180ebcc6e5c8efab209c43f5e40fd2af98cb49db5c7103c90539c56bb30e AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md constraints.txt ./
COPY client ./client
COPY controller ./controller
COPY examples ./examples
# No extras: the sandbox (moto, Flask, the authorization server) stays out of the image.
# The constraints are the tested dependency set: the same versions CI ran, no resolving.
# uv installs them (in parallel, a few times faster than pip) and leaves the venv after.
RUN python -m venv /opt/ecs-oauth \
 && /opt/ecs-oauth/bin/pip install --no-cache-dir -c constraints.txt uv \
 && /opt/ecs-oauth/bin/uv pip install --no-cache --python /opt/ecs-oauth/bin/python \
      -c constraints.txt ./client . \
 && /opt/ecs-oauth/bin/pip uninstall --yes uv

# Runtime stage: the virtualenv, plus the git binary (and ssh for ssh-key remotes) that
# source.git runs; runs as an unprivileged user. The packages are pinned to bookworm's
# versions as the base is to a digest: a Debian point release that supersedes them fails
# the build here, where the pins are bumped on purpose, instead of changing the image.
FROM python:3.11.10-slim-bookworm@sha256:840e180ebcc6e5c8efab209c43f5e40fd2af98cb49db5c7103c90539c56bb30e
ENV PATH=/opt/ecs-oauth/bin:$PATH PYTHONUNBUFFERED=1
RUN apt-get update \
 && apt-get install --yes --no-install-recommends \
      git=1:2.39.5-0+deb12u3 openssh-client=1:9.2p1-2+deb12u10 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/ecs-oauth /opt/ecs-oauth
RUN useradd --system --uid 10001 --no-create-home ecs-oauth
USER 10001
# /healthz, /readyz, /metrics, /status. http.listen defaults to loopback: set it to
# 0.0.0.0:8080 in the mounted values file to let anything outside the container in.
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2)"]
ENTRYPOINT ["ecs-oauth", "run"]
CMD ["-f", "/etc/ecs-oauth/desired", "--values", "/etc/ecs-oauth/values.yaml"]
