"""Design-based estimation with R ``survey`` semantics (Lumley 2010), vectorised.

``SurveyDesign`` (Taylor linearisation), ``ReplicateDesign`` (JK1, JKn, BRR, Fay, Rao–Wu
bootstrap), calibration (post-stratification, raking, GREG) and the low-level kernels the
index scorer uses: ``SurveyDesign.domain_means``, ``SurveyDesign.taylor_variance``,
``SurveyDesign.replicate_weights_and_scales`` and ``replicate_variance``. See ``design`` for details.
"""

from scoring.design.calibration import CalibrationRecord
from scoring.design.design import SurveyDesign
from scoring.design.replicate_design import ReplicateDesign, ReplicateEstimate
from scoring.design.replicates import replicate_variance

__all__ = [
    "CalibrationRecord",
    "ReplicateDesign",
    "ReplicateEstimate",
    "SurveyDesign",
    "replicate_variance",
]
