"""Form formats: the questionnaire as an XLSForm (``xlsform``; read back by
``xlsform_read``, its index sheet in ``xlsform_indicators``), as an ODK XForm and submission
XML back to answers (``xform``), and the JSON Schema of the ``answers`` a client sends
(``jsonschema``). XLSForm and XForm need the ``[odk]`` extra; its packages are imported only
when a function needs them, which then names the extra if it is missing.

from survey.forms import to_xform, write_xlsform
xml = to_xform(q)                         # the XForm ODK Collect, Enketo and Web Forms load
"""

from survey.forms.jsonschema import response_json_schema
from survey.forms.xform import parse_submission, to_xform, validate_xform
from survey.forms.xlsform import write_xlsform
from survey.forms.xlsform_read import read_xlsform

__all__ = [
    "parse_submission",
    "read_xlsform",
    "response_json_schema",
    "to_xform",
    "validate_xform",
    "write_xlsform",
]
