"""A small commune-services questionnaire written the way a field team writes an XLSForm:
``${}`` references, XPath conditions, groups for sections, a Don't-know choice inside the
list, and the PAPI index on an ``indicators`` sheet. The tests import it, serve it to the
engines and score what they send back."""

from __future__ import annotations

import io
from typing import Any

EN, VI = "label::English (en)", "label::Tiếng Việt (vi)"

SURVEY: list[dict[str, Any]] = [
    {"type": "start", "name": "start"},
    {"type": "end", "name": "end"},
    {"type": "begin_group", "name": "respondent", EN: "Respondent", VI: "Người trả lời"},
    {
        "type": "select_one province",
        "name": "province_code",
        EN: "Province",
        VI: "Tỉnh",
        "required": "yes",
    },
    {"type": "text", "name": "district", EN: "District id", VI: "Mã huyện", "required": "yes"},
    {"type": "text", "name": "commune", EN: "Commune id", VI: "Mã xã", "required": "yes"},
    {"type": "text", "name": "village", EN: "Village id", VI: "Mã thôn", "required": "yes"},
    {"type": "select_one sex", "name": "sex", EN: "Sex", VI: "Giới tính", "required": "yes"},
    {
        "type": "integer",
        "name": "age",
        EN: "Age",
        VI: "Tuổi",
        "required": "yes",
        "constraint": ". >= 18 and . <= 70",
        "constraint_message::English (en)": "18 to 70",
    },
    {"type": "end_group"},
    {"type": "begin_group", "name": "services", EN: "Commune services", VI: "Dịch vụ cấp xã"},
    {
        "type": "select_one yes_no",
        "name": "q1",
        EN: "Did you visit the commune office?",
        VI: "Ông/bà có đến UBND xã?",
        "required": "yes",
    },
    {
        "type": "select_one quality",
        "name": "q2",
        EN: "How was the service?",
        VI: "Chất lượng phục vụ?",
        "required": "yes",
        "relevant": "${q1} = 1",
    },
    {
        "type": "select_multiple docs",
        "name": "q3",
        EN: "Which documents did you bring?",
        VI: "Giấy tờ mang theo?",
        "required": "yes",
        "relevant": "${q1} = 1",
    },
    {
        "type": "integer",
        "name": "q4",
        EN: "Minutes waited",
        VI: "Số phút chờ",
        "required": "yes",
        "relevant": "selected(${q3}, '2')",
        "constraint": ". >= 0 and . <= 600",
    },
    {
        "type": "select_one yes_no",
        "name": "q5",
        EN: "Were you asked for an informal payment?",
        VI: "Có bị đòi tiền không chính thức?",
        "required": "yes",
        "relevant": "${q1} = 1 and ${q2} != 1",
    },
    {"type": "note", "name": "thanks", EN: "Thank you", VI: "Cảm ơn"},
    {"type": "end_group"},
]

CHOICES: list[dict[str, Any]] = [
    {"list_name": "province", "name": 1, EN: "Hanoi", VI: "Hà Nội"},
    {"list_name": "province", "name": 2, EN: "Ha Giang", VI: "Hà Giang"},
    {"list_name": "sex", "name": 1, EN: "Male", VI: "Nam"},
    {"list_name": "sex", "name": 2, EN: "Female", VI: "Nữ"},
    {"list_name": "yes_no", "name": 1, EN: "Yes", VI: "Có"},
    {"list_name": "yes_no", "name": 0, EN: "No", VI: "Không"},
    *(
        {"list_name": "quality", "name": c, EN: en, VI: vi}
        for c, en, vi in (
            (1, "Very poor", "Rất kém"),
            (2, "Poor", "Kém"),
            (3, "Good", "Tốt"),
            (4, "Very good", "Rất tốt"),
            (-8, "Don't know", "Không biết"),
        )
    ),
    {"list_name": "docs", "name": 1, EN: "ID card", VI: "CCCD"},
    {"list_name": "docs", "name": 2, EN: "Household book", VI: "Sổ hộ khẩu"},
    {"list_name": "docs", "name": 3, EN: "Land certificate", VI: "Sổ đỏ"},
]

SETTINGS = [
    {
        "form_id": "commune-pilot",
        "form_title": "Thí điểm dịch vụ cấp xã",
        "title_en": "Commune services pilot",
        "version": "2026.1",
        "year": 2026,
        "default_language": "Tiếng Việt (vi)",
        "special_codes": "dont_know=-8",
    }
]

IND = {"dimension": "D1", "subdimension": "SC11"}
INDICATORS: list[dict[str, Any]] = [
    {"dimension": "D1", EN: "Commune services", VI: "Dịch vụ cấp xã"},
    {**IND, EN: "Service at the commune office", VI: "Phục vụ tại UBND xã"},
    {
        **IND,
        "indicator": "SC11_01",
        EN: "Good service",
        VI: "Phục vụ tốt",
        "kind": "share",
        "items": "q2",
        "codes": "3 4",
        "eligible": "q1 == 1",
        "direction": "positive",
        "goalposts": "0 1",
    },
    {
        **IND,
        "indicator": "SC11_02",
        EN: "No informal payment",
        VI: "Không tiền ngoài",
        "kind": "share",
        "items": "q5",
        "codes": "0",
        "eligible": "q1 == 1",
        "goalposts": "0 1",
    },
    {
        **IND,
        "indicator": "SC11_03",
        EN: "Minutes waited",
        VI: "Số phút chờ",
        "kind": "mean",
        "items": "q4",
        "direction": "negative",
        "goalposts": "600 0",
    },
]


# The same index written next to the questions instead (the survey-sheet shorthand); the
# dimension and sub-dimension names stay on the indicators sheet.
SHORTHAND = {
    "q2": {
        "indicator": "SC11_01",
        "subdimension": "SC11",
        "codes": "3 4",
        "eligible": "q1 == 1",
        "indicator_label::English (en)": "Good service",
        "indicator_label::Tiếng Việt (vi)": "Phục vụ tốt",
    },
    "q5": {
        "indicator": "SC11_02",
        "subdimension": "SC11",
        "codes": "0",
        "eligibility": "q1 == 1",
        "indicator_label::English (en)": "No informal payment",
        "indicator_label::Tiếng Việt (vi)": "Không tiền ngoài",
    },
    "q4": {
        "indicator": "SC11_03",
        "subdimension": "SC11",
        "direction": "negative",
        "goalposts": "600 0",
        "indicator_label::English (en)": "Minutes waited",
        "indicator_label::Tiếng Việt (vi)": "Số phút chờ",
    },
}


def authored_xlsform(*, shorthand: bool = False) -> bytes:
    """The workbook as .xlsx bytes; ``shorthand`` puts the indicators on the survey sheet."""
    from openpyxl import Workbook

    survey, indicators = SURVEY, INDICATORS
    if shorthand:
        survey = [row | SHORTHAND.get(row.get("name", ""), {}) for row in SURVEY]
        indicators = [row for row in INDICATORS if "indicator" not in row]
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in (
        ("survey", survey),
        ("choices", CHOICES),
        ("settings", SETTINGS),
        ("indicators", indicators),
    ):
        ws = wb.create_sheet(name)
        columns = list(dict.fromkeys(k for row in rows for k in row))
        ws.append(columns)
        for row in rows:
            ws.append([row.get(c) for c in columns])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
