"""Items 3 and 7 of the hardening issue: attachment file names the store cannot keep are
refused with an OpenRosa envelope before anything is stored (a name over 255 characters was
a 500 on PostgreSQL, and every resend failed), the same on both databases."""

from __future__ import annotations

import pytest

from tests.api.support import Api
from tests.security.openrosa_support import (
    OPENROSA,
    assert_envelope,
    collect_post,
    enumerator,
    instance,
)


@pytest.mark.parametrize(
    "name",
    ["a" * 252 + ".jpg", "\u00e9" * 256],
    ids=["long-ascii", "long-accented"],
)
def test_an_unstorable_file_name_is_a_422_envelope_and_nothing_is_stored(
    api: Api, name: str
) -> None:
    survey = api.survey()
    token = enumerator(api, survey)
    xml = instance(api, 1)
    r = collect_post(api, survey, token, xml, [(name, b"jpeg")])
    assert_envelope(r, 422, "file name")
    listing = api.client.get(f"/api/v1/surveys/{survey}/submissions", headers=api.admin)
    assert listing.json()["items"] == []
    # the resend with a name the store keeps goes through
    assert collect_post(api, survey, token, xml, [("b" * 251 + ".jpg", b"jpeg")]).status_code == 201


def test_a_nul_in_a_raw_multipart_file_name_is_a_422_envelope(api: Api) -> None:
    survey = api.survey()
    token = enumerator(api, survey)
    boundary = "b0undary"
    parts = [
        ("xml_submission_file", "submission.xml", instance(api, 2)),
        ("photo", "x\x00.jpg", b"jpeg"),
    ]
    body = (
        b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
            + content
            + b"\r\n"
            for field, filename, content in parts
        )
        + f"--{boundary}--\r\n".encode()
    )
    r = api.client.post(
        f"/v1/key/{token}/projects/{survey}/submission",
        content=body,
        headers={**OPENROSA, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert_envelope(r, 422, "file name")
