"""A replay of ODK Collect's server conversation (form list, download, upload), over httpx.

It follows Collect's own algorithm (collect_app ``InstanceServerUploader`` and
``OpenRosaFormSource``), so a server that satisfies it satisfies Collect:

- every request carries ``X-OpenRosa-Version: 1.0`` and ``?deviceID=...``; a malformed
  ``Date`` header is sent as some Android locales do;
- ``formList`` must answer with ``X-OpenRosa-Version`` (otherwise Collect says "not an
  OpenRosa server"); each form's ``hash`` must be ``md5:`` of the bytes served;
- upload: ``HEAD`` the submission URL first and require **204** (any other 2xx is fatal),
  read ``X-OpenRosa-Accept-Content-Length`` (10 MB when absent), then POST
  ``multipart/form-data`` with the XML as ``xml_submission_file`` and the attachments, split
  into several POSTs by size, each repeating the XML, all but the last with the field
  ``*isIncomplete*`` = ``yes``; only 201 and 202 are success.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import httpx

OPENROSA = {"X-OpenRosa-Version": "1.0", "Date": "Sa., 21 Nov. 2026 15:00:00 MEZ"}
XFORMS_LIST = "{http://openrosa.org/xforms/xformsList}"
RESPONSE_NS = "{http://openrosa.org/http/response}"
DEFAULT_MAX_BYTES = 10_000_000


class UploadFailed(AssertionError):
    def __init__(self, status: int, message: str) -> None:
        self.status = status
        self.message = message
        super().__init__(f"HTTP {status}: {message}")


@dataclass(frozen=True)
class FormEntry:
    form_id: str
    name: str
    version: str
    hash: str
    download_url: str
    manifest_url: str | None


def openrosa_message(body: bytes) -> str:
    """The text of an ``OpenRosaResponse`` envelope (what Collect shows the enumerator)."""
    root = ET.fromstring(body)
    assert root.tag == f"{RESPONSE_NS}OpenRosaResponse", root.tag
    return "".join(m.text or "" for m in root.iter(f"{RESPONSE_NS}message"))


class CollectClient:
    """Talks to ``server_url`` (``.../v1/key/{token}/projects/{survey}``) like ODK Collect."""

    def __init__(self, http: httpx.Client, server_url: str, device_id: str = "collect:test01"):
        self.http = http
        self.base = server_url.rstrip("/")
        self.params = {"deviceID": device_id}

    def form_list(self) -> list[FormEntry]:
        r = self.http.get(f"{self.base}/formList", params=self.params, headers=OPENROSA)
        assert r.status_code == 200, r.text
        assert r.headers.get("X-OpenRosa-Version") == "1.0", "not an OpenRosa server"
        root = ET.fromstring(r.content)
        assert root.tag == f"{XFORMS_LIST}xforms", root.tag
        out = []
        for x in root.findall(f"{XFORMS_LIST}xform"):

            def text(tag: str, node: ET.Element = x) -> str | None:
                el = node.find(f"{XFORMS_LIST}{tag}")
                return None if el is None else (el.text or "")

            out.append(
                FormEntry(
                    form_id=text("formID") or "",
                    name=text("name") or "",
                    version=text("version") or "",
                    hash=text("hash") or "",
                    download_url=text("downloadUrl") or "",
                    manifest_url=text("manifestUrl"),
                )
            )
        return out

    def download(self, entry: FormEntry) -> bytes:
        r = self.http.get(entry.download_url, params=self.params, headers=OPENROSA)
        assert r.status_code == 200, r.text
        assert r.headers.get("X-OpenRosa-Version") == "1.0"
        digest = "md5:" + hashlib.md5(r.content).hexdigest()
        assert digest == entry.hash, f"hash {entry.hash} but served bytes hash to {digest}"
        return r.content

    def head(self) -> int:
        r = self.http.head(f"{self.base}/submission", params=self.params, headers=OPENROSA)
        if r.status_code != 204:
            raise UploadFailed(r.status_code, "HEAD /submission must answer 204")
        assert r.headers.get("X-OpenRosa-Version") == "1.0"
        return int(r.headers.get("X-OpenRosa-Accept-Content-Length", DEFAULT_MAX_BYTES))

    def submit(
        self, xml: bytes, attachments: dict[str, bytes] | None = None
    ) -> list[httpx.Response]:
        """Upload one finalized form; returns every POST's response; raises on failure."""
        max_bytes = self.head()
        files = list((attachments or {}).items())
        responses = []
        i = 0
        while True:
            batch: list[tuple[str, tuple[str, bytes, str]]] = [
                ("xml_submission_file", ("submission.xml", xml, "text/xml"))
            ]
            size = len(xml)
            while i < len(files) and (size + len(files[i][1]) < max_bytes or len(batch) == 1):
                name, content = files[i]
                batch.append((name, (name, content, _mime(name))))
                size += len(content)
                i += 1
            data = {"*isIncomplete*": "yes"} if i < len(files) else {}
            r = self.http.post(
                f"{self.base}/submission",
                params=self.params,
                headers=OPENROSA,
                files=batch,
                data=data,
            )
            responses.append(r)
            if r.status_code not in (201, 202):
                raise UploadFailed(r.status_code, _safe_message(r))
            assert r.headers.get("X-OpenRosa-Version") == "1.0"
            if i >= len(files):
                return responses


def _mime(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower()
    return {
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "png": "image/png",
        "m4a": "audio/mp4",
        "csv": "text/csv",
    }.get(ext, "application/octet-stream")


def _safe_message(r: httpx.Response) -> str:
    try:
        return openrosa_message(r.content)
    except ET.ParseError:
        return f"(not an OpenRosaResponse) {r.text[:200]}"
