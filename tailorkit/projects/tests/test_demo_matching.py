"""The demo shows the matching of issue 12: "What worked elsewhere" from a peer network of
organisations that share counts, and the combined ranking with its "what if"."""

import re

from django.core.management import call_command
from django.urls import reverse

from tailorkit.core.models import Membership, Organisation, User
from tailorkit.projects.demo import DEMO_PROJECT
from tailorkit.projects.demo_practice import PEERS, PROJECTS
from tailorkit.projects.management.commands.seed_demo import DEMO_EMAIL, DEMO_ORG
from tailorkit.projects.models import Decision, Judgement, Project


def _practice_section(html):
    """The "What worked elsewhere" block of the step 2 page, up to the end of its table."""
    start = html.index('class="practice-evidence"')
    return html[start:html.index("</table>", start)]


def test_the_demo_shows_what_worked_elsewhere_without_naming_anyone(packs, settings, tmp_path, client):
    settings.DATA_DIR = tmp_path
    call_command("seed_demo")
    counts = (Organisation.objects.count(), Project.objects.count(), User.objects.count(),
              Decision.objects.count(), Judgement.objects.count())
    call_command("seed_demo")
    assert (Organisation.objects.count(), Project.objects.count(), User.objects.count(),
            Decision.objects.count(), Judgement.objects.count()) == counts
    assert counts[:2] == (1 + len(PEERS), 2 + len(PROJECTS))
    assert set(Organisation.objects.values_list("shares_practice_evidence", flat=True)) == {True}

    lead = User.objects.get(email=DEMO_EMAIL)
    assert Membership.objects.filter(user=lead).count() == 1  # never a member of the peers
    peers = User.objects.filter(email__in=[p[4] for p in PEERS.values()])
    assert peers.count() == len(PEERS) and not any(u.has_usable_password() for u in peers)

    project = Project.objects.get(name=DEMO_PROJECT, organisation__name=DEMO_ORG)
    client.force_login(lead)
    html = client.get(reverse("projects:project_step_match",
                              args=[project.organisation.slug, project.pk])).content.decode()
    practice = _practice_section(html)
    assert "What worked elsewhere" in practice
    # Champions: 6 projects in 4 organisations, 3 stopped as a success, 4 of 5 assessed criteria met.
    row = re.search(r"<tr>\s*<th scope=\"row\"><a [^>]*>Identify and prepare champions</a></th>(.*?)</tr>",
                    practice, re.S)
    assert row is not None
    assert "6 (4)" in row.group(1) and "3 stopped as a success" in row.group(1) and "4 of 5 assessed" in row.group(1)
    # Educational meetings: 3 projects in 3 organisations, below the threshold, so not shown.
    assert "Conduct educational meetings" not in practice and practice.count('<th scope="row">') == 1
    for name, *_rest in PEERS.values():
        assert name not in html
    for spec in PROJECTS:
        assert spec["name"] not in html

    # The combined ranking of the focused barrier, with the project's other barriers to tick.
    assert 'id="combined"' in html
    ticks = set(re.findall(r'name="rank" value="(\d+)"', html))
    assert ticks == {str(pk) for pk in project.barriers.filter(item__isnull=False).values_list("pk", flat=True)}
    assert len(ticks) == 3
