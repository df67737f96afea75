import pytest

from tailorkit.consultations.services import instruments
from tailorkit.consultations.services.results import consultation_results

from .factories import add_response


def counts(instrument):
    result = {}
    for _code, scale, _i, _n in instruments.item_codes(instrument):
        result[scale] = result.get(scale, 0) + 1
    return result


def test_nomad_has_three_general_items_and_twenty_construct_items():
    assert counts("nomad") == {"general": 3, "coherence": 4, "cognitive_participation": 4, "collective_action": 7,
                               "reflexive_monitoring": 5}


def test_aim_iam_fim_are_three_four_item_scales():
    assert counts("aim_iam_fim") == {"aim": 4, "iam": 4, "fim": 4}


def test_a_nomad_questionnaire_is_built_with_marked_placeholders_and_not_relevant_options(org, alice):
    questionnaire = instruments.instrument_questionnaire_create(organisation=org, actor=alice, instrument="nomad")
    assert questionnaire.instrument == "nomad" and questionnaire.title == "NoMAD"
    questions = list(questionnaire.questions.order_by("section__position", "position"))
    assert len(questions) == 23 and questionnaire.sections.count() == 5
    assert all(q.text.startswith("[Placeholder wording – import the official items]") for q in questions)
    general, construct = questions[0], questions[3]
    assert general.kind == "scale0_10" and general.key == "nomad_g1"
    assert construct.key == "nomad_co1" and construct.kind == "single"
    assert [o["label"] for o in construct.options][-3:] == [
        "Not relevant to my role", "Not relevant at this stage", "Not relevant to the intervention"]
    assert questionnaire.latest_version.questions()[3]["meta"]["scores"]["5"] == 5


def test_an_unknown_instrument_is_refused(org, alice):
    with pytest.raises(Exception, match="Choose one of the listed instruments"):
        instruments.instrument_questionnaire_create(organisation=org, actor=alice, instrument="sf36")


def _consultation(org, alice, instrument, **kwargs):
    from tailorkit.consultations.services import delivery

    questionnaire = instruments.instrument_questionnaire_create(organisation=org, actor=alice, instrument=instrument)
    consultation, _token = delivery.consultation_create(organisation=org, questionnaire=questionnaire, actor=alice,
                                                        title="Normalisation", **kwargs)
    return consultation


def test_nomad_construct_scores_are_means_of_answered_items_without_not_relevant(org, alice):
    consultation = _consultation(org, alice, "nomad", min_group_size=1)
    add_response(consultation, {"nomad_co1": "5", "nomad_co2": "3", "nomad_co3": "nr_role", "nomad_cp1": "2"})
    scores = dict(instruments.respondent_scores(consultation)[0][1])
    assert scores == {"coherence": 4.0, "cognitive_participation": 2.0}
    # The generic results also keep "not relevant" options out of the item mean.
    co3 = next(r for r in consultation_results(consultation, chart=False)["questions"] if r["key"] == "nomad_co3")
    assert co3["overall"]["summary"]["n"] == 0


def test_aim_scale_scores_need_all_four_items_and_are_withheld_below_the_threshold(org, alice):
    consultation = _consultation(org, alice, "aim_iam_fim")
    for _ in range(5):
        add_response(consultation, {"aim1": 4, "aim2": 4, "aim3": 5, "aim4": 5, "fim1": 3}, group="clinician")
    scores = instruments.instrument_scores(consultation)
    by_scale = {s["scale"]: s for s in scores["scales"]}
    assert by_scale["aim"]["summary"]["mean"] == pytest.approx(4.5) and by_scale["aim"]["n"] == 5
    assert by_scale["fim"]["n"] == 0 and by_scale["fim"]["withheld"]
    assert by_scale["fim"]["note"] == "Fewer than 5 answers in total: withheld to protect anonymity."
