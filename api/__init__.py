"""papi-engine composition root: collection API, storage, OpenRosa, CLI.

``api`` needs the ``[server]`` extra (``pip install 'papi-engine[server]'``); the core install
is the library only (``survey`` and ``scoring``; ARCHITECTURE.md, "Installs"). Importing
``api`` without the extra fails here with one line naming it, before any module of the
package reaches for a package that is not there.
"""

from survey.extras import MissingExtra, message, missing

# What every part of the application imports at some point (import names, not distributions).
SERVER_MODULES = (
    "fastapi",
    "starlette",
    "sqlalchemy",
    "alembic",
    "uvicorn",
    "typer",
    "rich",
    "pydantic_settings",
    "orjson",
    "httpx",
    "pyreadstat",
    "jinja2",
    "matplotlib",
    "qrcode",
    "pyxform",
    "openpyxl",
)

_absent = missing(SERVER_MODULES)
if _absent is not None:
    raise MissingExtra(message("server", "server", _absent), name=_absent) from None
