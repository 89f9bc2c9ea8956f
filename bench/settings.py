"""Production settings with the benchmark's extra URLs."""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
