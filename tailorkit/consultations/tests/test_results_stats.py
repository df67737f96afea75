import pytest

from tailorkit.consultations import stats
from tailorkit.core.anonymity import withheld_groups


def test_the_confidence_interval_uses_the_t_quantile_for_small_samples():
    s = stats.summary([1, 2, 3, 4, 5])
    assert s["mean"] == 3 and s["median"] == 3
    # sd = 1.5811, t(4) = 2.776 → half width 1.963
    assert s["ci_low"] == pytest.approx(1.037, abs=1e-3)
    assert s["ci_high"] == pytest.approx(4.963, abs=1e-3)
    assert (s["q1"], s["q3"], s["iqr"]) == (2, 4, 2)


def test_one_value_gives_no_interval_rather_than_a_made_up_one():
    s = stats.summary([4])
    assert s["mean"] == 4 and s["ci_low"] is None and s["ci_high"] is None


def test_t_quantiles_interpolate_between_table_rows_and_approach_the_normal():
    assert stats.t975(1) == 12.706
    assert 2.021 < stats.t975(35) < 2.042
    assert stats.t975(1000) == pytest.approx(1.96, abs=1e-3)


def test_agreement_counts_answers_within_one_point_of_the_median():
    result = stats.agreement([4, 4, 5, 3, 1])
    assert result["share"] == pytest.approx(0.8) and result["consensus"]
    assert not stats.agreement([1, 5, 1, 5, 3])["consensus"]


def test_a_small_group_is_withheld_and_so_is_the_next_smallest_when_it_could_be_worked_out():
    assert withheld_groups({"clinician": 8, "manager": 6}, 5) == set()
    assert withheld_groups({"clinician": 8, "manager": 2, "patient": 5}, 5) == {"manager", "patient"}
    # Two small groups together reach the threshold: nothing more needs hiding.
    assert withheld_groups({"clinician": 8, "manager": 3, "it": 2}, 5) == {"manager", "it"}
