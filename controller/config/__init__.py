"""Controller settings, layered Helm-style from values files and ``--set``."""

from controller.config._engine import engine_settings
from controller.config._layers import load_settings
from controller.config._settings import Settings

__all__ = ["Settings", "engine_settings", "load_settings"]
