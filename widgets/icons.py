"""Channel icons: small SVGs shipped in `resources/icons`, loaded once per channel."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from PySide6.QtGui import QIcon

from domain.vocabulary import Channel


def icon_path(name: str) -> Path:
    """The file of icon `name` (without `.svg`); the resources package is installed as plain files."""
    return Path(str(files("resources").joinpath("icons", f"{name}.svg")))


def channel_icon(channel: Channel) -> QIcon:
    """The icon for a channel; an empty icon (never an error) if the file is missing.

    Not cached at module level: a QIcon must not outlive the QApplication. Models keep their own.
    """
    path = icon_path(channel.value)
    if not path.is_file():
        return QIcon()
    return QIcon(str(path))
