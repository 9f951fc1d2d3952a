"""The advisor in a web browser: pages and a JSON API over the same library calls as the CLI."""

from .app import create_app
from .security import Gate, PasswordFileError
from .settings import Settings

__all__ = ["Gate", "PasswordFileError", "Settings", "create_app"]
