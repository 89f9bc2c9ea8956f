# syntax=docker/dockerfile:1
# rehearse images, built from the locked dependencies (requirements.lock).
#
#   docker build -t rehearse .                    # the app server (last stage, default)
#   docker build --target web -t rehearse-web .   # nginx with this version's static files
#
# deploy/compose.yaml builds and runs both. Both stages get their static files from the
# same collectstatic run, so nginx serves exactly the hashed names this version's
# staticfiles.json (which the app reads) refers to.

ARG PYTHON_VERSION=3.11
ARG DEBIAN_RELEASE=bookworm
ARG NGINX_VERSION=1.28

# --- build: a virtualenv with rehearse and its pinned dependencies ----------------------
FROM python:${PYTHON_VERSION}-slim-${DEBIAN_RELEASE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
WORKDIR /src
COPY requirements.lock pyproject.toml README.md ./
COPY config ./config
COPY rehearse ./rehearse
# -c, not -r: the lock pins every version, the project's own dependencies decide what
# is installed (the lock also holds the dev tools, which stay out of the image).
RUN /opt/venv/bin/pip install -c requirements.lock .
# Static files are collected at build time (collectstatic reads no database); the
# throwaway secrets only satisfy production settings' start-up checks.
RUN OIDC_RSA_PRIVATE_KEY="$(/opt/venv/bin/python -m rehearse.oauth.keys)" \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    SECRET_KEY=collectstatic-at-build-time-only-this-key-signs-nothing-0123456789 \
    ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=postgres://build@build.invalid/build \
    STATIC_ROOT=/srv/rehearse/static \
    /opt/venv/bin/rehearse collectstatic --noinput --verbosity 0

# --- web: nginx with the site template and the static files ------------------------------
FROM nginx:${NGINX_VERSION}-alpine AS web
# The RFC 7919 group Mozilla's config asks for (a named group: nothing is generated).
RUN apk add --no-cache openssl \
    && openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 -out /etc/nginx/ffdhe2048.pem \
    && apk del openssl \
    && rm /etc/nginx/conf.d/default.conf \
    && mkdir -p /var/www/letsencrypt /srv/rehearse/media \
    && ln -sf /dev/stdout /var/log/nginx/rehearse.access.log \
    && ln -sf /dev/stderr /var/log/nginx/rehearse.error.log
# The image's entrypoint renders /etc/nginx/templates/*.template into /etc/nginx/conf.d/
# with envsubst, from the environment compose.yaml sets.
COPY deploy/nginx/rehearse.conf.template /etc/nginx/templates/rehearse.conf.template
COPY --from=build /srv/rehearse/static /srv/rehearse/static

# --- app: gunicorn, as an unprivileged user -------------------------------------------------
FROM python:${PYTHON_VERSION}-slim-${DEBIAN_RELEASE} AS app
# bubblewrap: the kata grader's sandbox.
RUN apt-get update \
    && apt-get install -y --no-install-recommends bubblewrap \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 rehearse \
    && useradd --system --uid 10001 --gid rehearse --home-dir /srv/rehearse \
       --shell /usr/sbin/nologin rehearse \
    && mkdir -p /srv/rehearse/media /srv/rehearse/var \
    && chown rehearse:rehearse /srv/rehearse/media /srv/rehearse/var
COPY --from=build /opt/venv /opt/venv
COPY --from=build /srv/rehearse/static /srv/rehearse/static
WORKDIR /srv/rehearse/app
COPY deploy/gunicorn.conf.py deploy/gunicorn.conf.py
COPY content content
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    REHEARSE_VAR_DIR=/srv/rehearse/var \
    STATIC_ROOT=/srv/rehearse/static \
    MEDIA_ROOT=/srv/rehearse/media
USER rehearse
EXPOSE 8000
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py"]
