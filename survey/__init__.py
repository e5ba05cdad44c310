"""papi-engine shared kernel: pure models and functions; never imports FastAPI, SQLAlchemy
or ``scoring``. Its subsystems are folders, each naming its public face in its ``__init__``:

- ``survey.questionnaire``: the questionnaire model, loading, definition checks;
- ``survey.conditions``: the condition language, its evaluators, XPath both ways;
- ``survey.validation.response``: response validation and the value rules it shares with the form;
- ``survey.forms``: XLSForm, ODK XForm and JSON Schema;
- ``survey.respondents``: the respondent table and the analysis-frame contract;
- ``survey.sampling``, ``survey.simulate``, ``survey.geography``;
- at the root, what every subsystem shares (``errors``, ``rng``, ``extras``), the bundled
  data (``datafiles``, ``published``) and place names (``places``).

This module re-exports the small API most users need and nothing else.
"""

from survey.conditions import parse_condition, referenced_items
from survey.errors import PapiError, Problem, QuestionnaireError
from survey.questionnaire import (
    Choice,
    Criterion,
    Dimension,
    Indicator,
    Item,
    Label,
    Questionnaire,
    Scale,
    Structure,
    SubDimension,
    dump_questionnaire,
    load_questionnaire,
    parse_questionnaire,
)
from survey.validation.response import ValidationIssue, Verdict, validate_response, verdict

__all__ = [
    "Choice",
    "Criterion",
    "Dimension",
    "Indicator",
    "Item",
    "Label",
    "PapiError",
    "Problem",
    "Questionnaire",
    "QuestionnaireError",
    "Scale",
    "Structure",
    "SubDimension",
    "ValidationIssue",
    "Verdict",
    "dump_questionnaire",
    "load_questionnaire",
    "parse_condition",
    "parse_questionnaire",
    "referenced_items",
    "validate_response",
    "verdict",
]
