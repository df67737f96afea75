import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tailorkit.consultations.models import InstrumentWording
from tailorkit.consultations.services import instruments
from tailorkit.core.models import AuditEvent


def upload(text, name="wording.csv"):
    f = io.BytesIO(text.encode())
    f.name = name
    return f


def aim_csv(skip=None, extra=""):
    rows = ["instrument,item,text"]
    rows += [f"aim_iam_fim,{code},Official {code}" for code, *_rest in instruments.item_codes("aim_iam_fim")
             if code != skip]
    return "\n".join(rows) + "\n" + extra


def test_an_administrator_imports_the_official_wording_and_new_questionnaires_use_it(org, alice):
    count = instruments.instrument_wording_import(file=upload(aim_csv()), actor=alice)
    assert count == 12 and InstrumentWording.objects.count() == 12
    event = AuditEvent.objects.get(action="consultation.instrument_wording_imported")
    assert event.details == {"instruments": ["aim_iam_fim/en"], "items": 12}
    questionnaire = instruments.instrument_questionnaire_create(organisation=org, actor=alice,
                                                                instrument="aim_iam_fim")
    assert questionnaire.questions.get(key="fim3").text == "Official fim3"


def test_a_yaml_file_works_too(alice):
    entries = "".join(f"  - {{instrument: aim_iam_fim, item: {code}, text: 'Wording {code}'}}\n"
                      for code, *_rest in instruments.item_codes("aim_iam_fim"))
    assert instruments.instrument_wording_import(file=upload("items:\n" + entries, "w.yaml"), actor=alice) == 12


BILLION_LAUGHS = ('a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
                  + "".join(f"{n}: &{n} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
                            for p, n in zip("abcdefgh", "bcdefghi", strict=True)))


@pytest.mark.parametrize("content, message", [
    (BILLION_LAUGHS, "aliases (*name) are not allowed"),
    ("items: " + "[" * 100_000 + "\n", "nested more than 50 levels deep"),
])
def test_a_yaml_file_that_would_blow_up_is_refused_before_it_is_loaded(alice, content, message):
    with pytest.raises(ValidationError) as caught:
        instruments.instrument_wording_import(file=upload(content, "w.yaml"), actor=alice)
    assert message in caught.value.messages[0]
    assert caught.value.messages[0].startswith("The file is not valid YAML")


def test_a_file_over_the_size_limit_is_refused_unread(alice):
    big = upload(aim_csv() + "#" * instruments.FILE_MAX_BYTES)
    with pytest.raises(ValidationError) as caught:
        instruments.instrument_wording_import(file=big, actor=alice)
    assert caught.value.messages == ["The file is larger than 2 MB. A wording file is much smaller: check that "
                                     "you chose the right file."]
    assert not InstrumentWording.objects.exists()


@pytest.mark.parametrize("content, message", [
    (aim_csv(extra="sf36,q1,Hello\n"), "Line 14: unknown instrument “sf36”"),
    (aim_csv(extra="nomad,nomad_co9,Hello\n"), "Line 14: “nomad_co9” is not an item of nomad"),
    (aim_csv(extra="aim_iam_fim,aim2,Again\n"), "Line 14: aim2 (en) is already given in Line 3"),
    (aim_csv(skip="iam3"), "AIM, IAM and FIM (en): items missing from the file: iam3"),
    (aim_csv(extra="aim_iam_fim,aim5,\n"), "Line 14: “aim5” is not an item of aim_iam_fim"),
    ("item,text\naim1,x\n", "needs a header row"),
])
def test_a_wrong_file_changes_nothing_and_names_the_row(alice, content, message):
    instruments.instrument_wording_import(file=upload(aim_csv()), actor=alice)
    before = list(InstrumentWording.objects.values_list("item", "text"))
    with pytest.raises(ValidationError) as exc:
        instruments.instrument_wording_import(file=upload(content.replace("Official", "New")), actor=alice)
    assert any(message in m for m in exc.value.messages), exc.value.messages
    assert list(InstrumentWording.objects.values_list("item", "text")) == before
    assert AuditEvent.objects.filter(action="consultation.instrument_wording_imported").count() == 1


def test_only_administrators_reach_the_import_page(client_for, alice, org):
    url = reverse("consultations:consultation_instrument_wording", args=[org.slug])
    assert client_for(alice).get(url).status_code == 403
    alice.is_staff = True
    alice.save()
    response = client_for(alice).post(url, {"file": upload(aim_csv(skip="aim1"))})
    assert response.status_code == 400
    assert "items missing from the file: aim1" in response.content.decode()
    response = client_for(alice).post(url, {"file": upload(aim_csv())})
    assert response.status_code == 302 and InstrumentWording.objects.count() == 12


def test_a_member_creates_a_questionnaire_from_an_instrument_and_a_viewer_cannot(client_for, bob, dave, org):
    url = reverse("consultations:consultation_instruments", args=[org.slug])
    assert "placeholder wording" in client_for(dave).get(url).content.decode()
    assert client_for(dave).post(url, {"instrument": "nomad"}).status_code == 403
    response = client_for(bob).post(url, {"instrument": "aim_iam_fim", "title": "Staff views"})
    assert response.status_code == 302
    assert org.questionnaires.get(title="Staff views").questions.count() == 12
