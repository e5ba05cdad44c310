"""Helpers of the security suite's OpenRosa tests: an instance XML of papi-2021 and a
Collect-shaped multipart POST."""

from __future__ import annotations

import uuid
from typing import Any
from xml.sax.saxutils import escape

import numpy as np

from tests.api.support import Api
from tests.clients.answers import random_response

OPENROSA = {"X-OpenRosa-Version": "1.0"}


def instance(api: Api, seed: int, *, iid: str | None = None, **fields: str) -> bytes:
    """An instance XML of papi-2021 with random answers (``fields`` override them)."""
    answers: dict[str, Any] = random_response(api.q, np.random.default_rng(seed)) | fields
    cells = "".join(
        f"<{k}>{escape(' '.join(map(str, v)) if isinstance(v, list) else str(v))}</{k}>"
        for k, v in answers.items()
    )
    iid = iid or f"uuid:{uuid.uuid4()}"
    head = f'<data id="{api.q.id}" version="{api.q.version}">{cells}'
    return f"{head}<meta><instanceID>{escape(iid)}</instanceID></meta></data>".encode()


def collect_post(
    api: Api,
    survey: int,
    token: str,
    xml: bytes,
    files: list[tuple[str, bytes]] = (),  # type: ignore[assignment]
) -> Any:
    parts: list[tuple[str, tuple[str, bytes, str]]] = [
        ("xml_submission_file", ("submission.xml", xml, "text/xml"))
    ]
    parts += [(name, (name, content, "image/jpeg")) for name, content in files]
    return api.client.post(
        f"/v1/key/{token}/projects/{survey}/submission", files=parts, headers=OPENROSA
    )


def enumerator(api: Api, survey: int, name: str | None = None) -> str:
    """A new enumerator token of ``survey`` (the secret, for the URL path)."""
    return api.token("enumerator", survey, name)["Authorization"].removeprefix("Bearer ")


def assert_envelope(r: Any, status: int, words: str = "") -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("text/xml"), r.headers
    assert r.headers["x-openrosa-version"] == "1.0"
    assert "<OpenRosaResponse" in r.text and words in r.text, r.text
