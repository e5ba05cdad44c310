"""papi-engine shared kernel: questionnaire schema, index structure, response validation,
sampling. Pure models and functions; never imports FastAPI, SQLAlchemy or `scoring`."""

from survey.errors import PapiError, Problem, QuestionnaireError
from survey.expressions import parse_condition, referenced_items
from survey.loader import dump_questionnaire, load_questionnaire, parse_questionnaire
from survey.schema import (
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
)
from survey.validation import ValidationIssue, Verdict

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
]
