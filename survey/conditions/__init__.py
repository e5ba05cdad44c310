"""The condition language of questionnaires (``relevant``, ``constraint``, ``eligible``):
parsing (``expressions``), evaluation for one response (``evaluate``) and the translation
to and from ODK's XPath (``xpath``, ``xpath_parse``).

The vectorised evaluator over the respondent table, ``frame_eval.evaluate_frame``, reads
item types from the questionnaire model; import it from ``survey.conditions.frame_eval``
(this package's face stays below ``survey.questionnaire``, which parses its conditions here).

from survey.conditions import parse_condition, evaluate
evaluate(parse_condition("q1 == 1 and q2 > 3"), {"q1": 1, "q2": 4})   # True
"""

from survey.conditions.evaluate import compile_predicate, evaluate
from survey.conditions.expressions import (
    ExpressionParseError,
    Node,
    parse_condition,
    referenced_items,
)
from survey.conditions.xpath import to_xpath
from survey.conditions.xpath_parse import from_xpath

__all__ = [
    "ExpressionParseError",
    "Node",
    "compile_predicate",
    "evaluate",
    "from_xpath",
    "parse_condition",
    "referenced_items",
    "to_xpath",
]
