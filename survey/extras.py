"""Optional parts of papi-engine and the one message that names the extra a user lacks.

``pip install papi-engine`` installs the library (``survey`` and ``scoring``); the ODK form
tools, the HTML report and the application come with extras (ARCHITECTURE.md, "Installs"):

- ``[odk]``: pyxform and openpyxl, for ``survey.forms.xlsform*`` and ``survey.forms.xform``;
- ``[report]``: matplotlib, Jinja2 and qrcode;
- ``[server]``: the HTTP API, console, jobs, exports and the ``papi`` CLI (``api``), with
  ``[odk]`` and ``[report]``.

Modules that need an optional package call :func:`require` before importing it, so that a
core install fails with one line saying what to install instead of a bare
``ModuleNotFoundError``.
"""

from __future__ import annotations

import importlib.util

__all__ = ["MissingExtra", "missing", "require"]


class MissingExtra(ModuleNotFoundError):
    """An optional package of papi-engine is not installed; the message names the extra."""


def message(part: str, extra: str, module: str) -> str:
    return (
        f"papi-engine's {part} needs the [{extra}] extra ({module} is not installed): "
        f"pip install 'papi-engine[{extra}]'"
    )


def missing(modules: tuple[str, ...]) -> str | None:
    """The first of ``modules`` that cannot be imported, without importing any of them."""
    for name in modules:
        if importlib.util.find_spec(name) is None:
            return name
    return None


def require(part: str, extra: str, *modules: str) -> None:
    """Raise :class:`MissingExtra` naming ``extra`` when one of ``modules`` is not installed.

    Parameters
    ----------
    part
        What needs the packages, as the user would call it ("XLSForm support").
    extra
        The extra of papi-engine that installs them (``odk``, ``report``, ``server``).
    modules
        Top-level import names to look for.

    Raises
    ------
    MissingExtra
        One line: which extra to install and the pip command that does it.
    """
    name = missing(modules)
    if name is not None:
        raise MissingExtra(message(part, extra, name), name=name)
