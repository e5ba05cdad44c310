"""The national survey simulator, calibrated to the published PAPI scores of a year.

from survey.simulate import simulate
sim = simulate(2023, rng=7, provinces=["P01", "P31"])
"""

from survey.simulate.effects import Variation
from survey.simulate.simulator import SimulatedSurvey, questionnaire_for_year, simulate

__all__ = ["SimulatedSurvey", "Variation", "questionnaire_for_year", "simulate"]
