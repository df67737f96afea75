"""The help page on the chart rules: open to everyone, every rule with its threshold, and the sources."""

import pytest
from django.urls import reverse

RULES = ("Unusually long run", "Too few crossings", "Point beyond a limit", "Run on one side of the average",
         "Trend", "Two of three near a limit")


@pytest.mark.parametrize("who", ["visitor", "alice", "dave", "mallory"])
def test_it_renders_for_anyone_and_lists_every_rule(client, client_for, who, request):
    browser = client if who == "visitor" else client_for(request.getfixturevalue(who))
    response = browser.get(reverse("measures:chart_rules"))
    assert response.status_code == 200
    html = response.content.decode()
    for rule in RULES:
        assert f'<th scope="row">{rule}</th>' in html
    assert "7 or more points in a row." in html


def test_it_gives_the_run_chart_thresholds_from_the_rules_themselves(client, db):
    html = " ".join(client.get(reverse("measures:chart_rules")).content.decode().split())
    # Anhøj's critical values for 20 and 30 useful points: runs longer than 7 and 8, crossings fewer than 6 and 10
    assert "<tr><th scope=\"row\">20</th><td>7</td><td>6</td></tr>" in html
    assert "<tr><th scope=\"row\">30</th><td>8</td><td>10</td></tr>" in html
    assert "with 20 points, a run of more than 7" in html and "with 20 points, fewer than 6" in html


def test_it_explains_rebasing_and_verdicts_and_cites_its_sources(client, db):
    html = " ".join(client.get(reverse("measures:chart_rules")).content.decode().split())
    for anchor in ("charts", "rules", "enough", "rebasing", "verdicts", "sources"):
        assert f'id="{anchor}"' in html and f'href="#{anchor}"' in html
    for status in ("Met", "Not yet", "Not met", "Unclear"):
        assert f"<dt>{status}</dt>" in html
    assert "PLoS One 2014;9(11):e113825" in html and "PLoS One 2015;10(3):e0121349" in html
    assert "Making Data Count" in html and "Montgomery DC" in html
