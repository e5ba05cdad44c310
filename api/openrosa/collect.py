"""What ODK Collect needs to reach a survey: its project settings for one enumerator, and
their encoding in the QR code Collect scans (``papi collect-qr`` prints it; the console's
token page shows it)."""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any


def collect_settings(
    server: str, survey: int, token: str, name: str | None = None
) -> dict[str, Any]:
    """ODK Collect's project settings for one enumerator (app-user token in the URL)."""
    return {
        "general": {
            "server_url": f"{server.rstrip('/')}/v1/key/{token}/projects/{survey}",
            "form_update_mode": "match_exactly",
            "autosend": "wifi_and_cellular",
            "delete_send": False,
        },
        "admin": {"edit_saved": True},
        "project": {"name": name or f"PAPI survey {survey}", "icon": "P", "color": "#1e6fb8"},
    }


def encode_settings(settings: dict[str, Any]) -> str:
    """zlib-compressed, Base64-encoded settings JSON: what Collect reads from the QR code."""
    raw = json.dumps(settings, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(zlib.compress(raw)).decode("ascii")
