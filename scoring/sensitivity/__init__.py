"""Sensitivity and uncertainty analysis of the PAPI index (docs/sensitivity.md).

``run_sensitivity(published_input(frame), Spec.from_yaml(text), runs=10_000)`` (or
``microdata_input(responses, "papi-2021")`` for respondent data) rebuilds the
index under every uncertain choice (normalisation, aggregation, weights, exclusion, and with
microdata weighted vs unweighted estimates and sampling error), then reports rank intervals,
performance-group probabilities, Sobol' indices, a one-at-a-time removal table and
structure diagnostics. See docs/sensitivity.md.
"""

from scoring.sensitivity.data import IndexData, published_input
from scoring.sensitivity.diagnostics import DiagnosticsResult, cronbach_alpha, diagnostics
from scoring.sensitivity.engine import Design
from scoring.sensitivity.microdata import microdata_input
from scoring.sensitivity.montecarlo import UncertaintyResult, uncertainty
from scoring.sensitivity.nominal import NominalUncertainty, nominal_uncertainty
from scoring.sensitivity.oat import OatResult, one_at_a_time
from scoring.sensitivity.run import SensitivityResult, run_sensitivity
from scoring.sensitivity.sobol import SobolResult, index_sobol, sobol_indices
from scoring.sensitivity.spec import Spec, default_audit

__all__ = [
    "Design",
    "DiagnosticsResult",
    "IndexData",
    "NominalUncertainty",
    "OatResult",
    "SensitivityResult",
    "SobolResult",
    "Spec",
    "UncertaintyResult",
    "cronbach_alpha",
    "default_audit",
    "diagnostics",
    "index_sobol",
    "microdata_input",
    "nominal_uncertainty",
    "one_at_a_time",
    "published_input",
    "run_sensitivity",
    "sobol_indices",
    "uncertainty",
]
