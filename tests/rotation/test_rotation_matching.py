"""The matching engine: equal to the `matching` package's resident-optimal result, stable, within capacity."""
from __future__ import annotations

import warnings

from hypothesis import given, settings
from hypothesis import strategies as st
from matching.games import HospitalResident

from rotation.matching import Instance, blocking_pairs, deferred_acceptance, explain_unmatched, over_capacity


@st.composite
def instances(draw, max_applicants: int = 25, max_openings: int = 8) -> Instance:
    """Random instances: up to five ranked openings each; hosts rank a random subset of who chose them."""
    openings = list(range(draw(st.integers(1, max_openings))))
    applicants = list(range(100, 100 + draw(st.integers(1, max_applicants))))
    applicant_prefs = {
        a: draw(st.lists(st.sampled_from(openings), unique=True, max_size=5)) for a in applicants
    }
    host_prefs = {}
    for o in openings:
        chose = [a for a in applicants if o in applicant_prefs[a]]
        ranked = draw(st.permutations(chose))
        host_prefs[o] = ranked[: draw(st.integers(0, len(ranked)))] if draw(st.booleans()) else ranked
    capacities = {o: draw(st.integers(1, 3)) for o in openings}
    return Instance(applicant_prefs, host_prefs, capacities)


def reference_matching(instance: Instance) -> dict:
    """The same instance solved by the `matching` package (resident-optimal), as applicant -> opening."""
    acceptable = {
        a: [o for o in prefs if a in instance.host_prefs[o]] for a, prefs in instance.applicant_prefs.items()
    }
    residents = {a: prefs for a, prefs in acceptable.items() if prefs}
    hospitals = {o: [a for a in prefs if a in residents] for o, prefs in instance.host_prefs.items()}
    hospitals = {o: prefs for o, prefs in hospitals.items() if prefs}
    if not residents or not hospitals:
        return {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        game = HospitalResident.create_from_dictionaries(
            residents, hospitals, {o: instance.capacities[o] for o in hospitals}
        )
        solved = game.solve(optimal="resident")
    return {r.name: h.name for h, taken in solved.items() for r in taken}


@settings(max_examples=300, deadline=None)
@given(instances())
def test_engine_agrees_with_the_matching_package(instance):
    assert deferred_acceptance(instance) == reference_matching(instance)


@settings(max_examples=300, deadline=None)
@given(instances())
def test_result_is_stable_within_capacity_and_acceptable(instance):
    result = deferred_acceptance(instance)
    assert blocking_pairs(instance, result) == []
    assert over_capacity(instance, result) == {}
    for applicant, opening in result.items():
        assert opening in instance.applicant_prefs[applicant]
        assert applicant in instance.host_prefs[opening]


@settings(max_examples=150, deadline=None)
@given(instances())
def test_result_does_not_depend_on_input_order(instance):
    shuffled = Instance(
        dict(reversed(list(instance.applicant_prefs.items()))),
        dict(reversed(list(instance.host_prefs.items()))),
        dict(reversed(list(instance.capacities.items()))),
    )
    assert deferred_acceptance(shuffled) == deferred_acceptance(instance)


@settings(max_examples=150, deadline=None)
@given(instances())
def test_every_unmatched_applicant_is_explained_by_full_openings_ranked_higher(instance):
    result = deferred_acceptance(instance)
    explanations = explain_unmatched(instance, result)
    assert set(explanations) == set(instance.applicant_prefs) - set(result)
    for applicant, reasons in explanations.items():
        assert [r.opening for r in reasons] == list(instance.applicant_prefs[applicant])
        for reason in reasons:
            if not reason.not_ranked:
                assert len(reason.ranked_higher) == instance.capacities[reason.opening]


def test_applicant_optimal_on_a_known_instance():
    """Two stable matchings exist; the applicants get their first choices."""
    instance = Instance({1: ["x", "y"], 2: ["y", "x"]}, {"x": [2, 1], "y": [1, 2]}, {"x": 1, "y": 1})
    assert deferred_acceptance(instance) == {1: "x", 2: "y"}


def test_host_preference_decides_a_contested_seat_and_the_explanation_names_the_holder():
    instance = Instance({1: ["x"], 2: ["x"], 3: ["x"]}, {"x": [3, 1, 2]}, {"x": 2})
    result = deferred_acceptance(instance)
    assert result == {3: "x", 1: "x"}
    assert explain_unmatched(instance, result)[2][0].ranked_higher == (3, 1)


def test_manual_move_that_creates_a_blocking_pair_is_detected():
    instance = Instance({1: ["x", "y"], 2: ["y"]}, {"x": [1], "y": [1, 2]}, {"x": 1, "y": 1})
    assert blocking_pairs(instance, {1: "y"}) == [(1, "x")]
    assert over_capacity(instance, {1: "y", 2: "y"}) == {"y": 1}
