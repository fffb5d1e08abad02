"""Controller settings, layered Helm-style from values files and ``--set``."""

from controller.config._desired import load_desired
from controller.config._effective import effective, render
from controller.config._engine import engine_settings
from controller.config._git import GitSource
from controller.config._guards import aws_is_local, default_id_refusal
from controller.config._layers import load_settings
from controller.config._settings import Settings

__all__ = [
    "GitSource",
    "Settings",
    "aws_is_local",
    "default_id_refusal",
    "effective",
    "engine_settings",
    "load_desired",
    "load_settings",
    "render",
]
