"""The web console: field operations for pilot teams, in the browser (``/console``).

How it is built, and why:

- **Server-rendered Jinja2 templates** (Jinja2 is already a dependency of the reports): every
  page is HTML the server computes from the API's services, so a page shows exactly what the
  token may read through the API, works without a build step, and stays fast on a tablet.
- **About 60 lines of hand-written JavaScript** (``static/console.js``) for the two things
  that need it: re-fetching the changing part of the progress page every 15 seconds, and
  the review page's keyboard shortcuts. htmx would do the first in an attribute, but it is a
  50 kB third-party file for one behaviour; nothing else is loaded, and the pages work
  without script (the progress page then refreshes on reload).
- **Charts and the map are SVG written by the templates**: bars per day, and a tile-grid map
  of the 63 provinces laid out by hand (``tilemap``), because no openly licensed simplified
  boundaries are available from the registries the project uses.
- **Nothing from the internet at run time**: templates and static files ship in the wheel
  (``[tool.setuptools.package-data]``) and ``papi serve`` serves them.
- Rights are the API's: routes are thin (``routes``), pages are assembled by ``views`` from
  the services with the same ``authorize`` calls as the API routes, and the session is the
  bearer token in an HttpOnly cookie (``session``).
- Every visible string is in ``i18n`` in English and Vietnamese.
"""

from __future__ import annotations

from pathlib import Path

CONSOLE_PATH = "/console"
STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_PATH = CONSOLE_PATH + "/static"
