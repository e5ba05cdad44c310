"""The ``OpenRosaResponse`` envelope (success and error bodies Collect shows the user)."""

from __future__ import annotations

from xml.sax.saxutils import escape

OPENROSA_HEADERS = {"X-OpenRosa-Version": "1.0"}
XML_MEDIA_TYPE = "text/xml; charset=utf-8"
OPENROSA_PATH = "/v1/key/"


def envelope_bytes(message: str) -> bytes:
    return (
        "<?xml version='1.0' encoding='UTF-8' ?>"
        '<OpenRosaResponse xmlns="http://openrosa.org/http/response">'
        f'<message nature="">{escape(message)}</message></OpenRosaResponse>'
    ).encode()
