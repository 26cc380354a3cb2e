"""Indicator pages over real HTTP (Django's test client): the catalogue, an indicator, an authority's
profile, downloads, and officers' flags with who may do what."""

import csv
import io
import re

import pytest
from django.urls import reverse

from apa.indicators.models import Flag, Value
from apa.indicators.templatetags.indicator_tags import indicator_url

from .conftest import SAMPLE_CODES

pytestmark = pytest.mark.django_db


def _csv(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_codes_with_symbols_have_working_addresses(sample, client):
    for code in SAMPLE_CODES:
        url = reverse("indicator_detail", args=[code])
        assert indicator_url(code) == url
        response = client.get(url)
        assert response.status_code == 200, code
    assert reverse("indicator_detail", args=["RefBySource_Schl_%"]) == "/indicators/RefBySource_Schl_%25/"
    assert client.get("/indicators/No_such_code/").status_code == 404


def test_catalogue_filters_and_downloads(sample, client):
    page = client.get(reverse("indicator_list"), {"topic": "Children in Need"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "% with at least one permanent exclusion" in html or "CINPermExclusion" in html
    assert "Road traffic" not in html
    rows = _csv(client.get(reverse("indicator_list"), {"outcome": "being_healthy", "format": "csv"}))
    assert {r["code"] for r in rows} >= {"RTA", "Hosp_Adm_Alc_<18yrs"}
    assert all("Being healthy" in r["outcomes"] for r in rows)


def test_indicator_page_highlights_an_authority_and_sorts_without_javascript(sample, client):
    url = reverse("indicator_detail", args=["RTA"])
    page = client.get(url, {"authority": "886", "period": "2017-19", "sort": "-value"})
    html = page.content.decode()
    assert page.status_code == 200
    assert '<tr class="govuk-table__row apa-highlight">' in html and "Kent</a> <strong>(chosen)</strong>" in html
    assert 'role="img"' in html and "<title id=\"dist-title\">" in html  # the distribution chart
    assert "Kent over time" in html and "series-title" in html  # the time series and its table
    assert 'aria-sort="descending"' in html
    table = html[html.index('id="benchmarks"'):]
    values = [float(v.replace(",", "")) for v in re.findall(r'<td class="govuk-table__cell apa-numeric">([0-9.,]+)'
                                                            r'</td>\s*<td class="govuk-table__cell">(?:<strong|</td>)',
                                                            table)]
    assert len(values) > 100 and values == sorted(values, reverse=True)
    problem = client.get(url, {"period": "1066"}).content.decode()
    assert "has no period &#x27;1066&#x27;" in problem or "has no period '1066'" in problem


def test_indicator_downloads_match_the_command_line(sample, client, run_apa):
    url = reverse("indicator_detail", args=["NEW_KS2_RWM_Sen_W/Osta"])
    period_rows = _csv(client.get(url, {"period": "2019", "format": "csv"}))
    assert {r["period"] for r in period_rows} == {"2019"}
    every = _csv(client.get(url, {"table": "all", "format": "csv"}))
    _, out, _ = run_apa("benchmark", "--all", "--indicator", "NEW_KS2_RWM_Sen_W/Osta", "--format", "csv")
    assert every == list(csv.DictReader(io.StringIO(out)))
    series = _csv(client.get(url, {"authority": "202", "table": "series", "format": "csv"}))
    assert list(series[0]) == ["period", "Camden", "London", "Statistical neighbours' average", "England"]


def test_authority_profile_groups_by_outcome_and_downloads(sample, client):
    url = reverse("authority_indicators", kwargs={"dfe_code": "886"})
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    for heading in ("Being healthy", "Staying safe", "Enjoying and achieving", "Not linked to an outcome"):
        assert heading in html
    assert 'aria-label="Trend: ' in html  # sparklines say their values
    assert "govuk-tag--" in html  # quartile bands
    assert "Flag<span" not in html  # no flagging for the public
    rows = _csv(client.get(url, {"format": "csv"}))
    assert {r["indicator"] for r in rows} == set(SAMPLE_CODES)
    rta = next(r for r in rows if r["indicator"] == "RTA")
    assert rta["period"] == "2020-22" and rta["quartile_band"] in "ABCD"
    only = client.get(url, {"outcome": "being_healthy"}).content.decode()
    assert "Staying safe</h2>" not in only and "Being healthy</h2>" in only
    assert client.get(reverse("authority_indicators", kwargs={"dfe_code": "999"})).status_code == 404


def _flag_url(code="RTA", period="2017-19", dfe="886"):
    return reverse("indicator_flag_new", kwargs={"dfe_code": dfe}) + f"?indicator={code}&period={period}"


def test_an_officer_flags_their_own_value_and_an_inspector_answers(sample, client, persona):
    officer = persona("kent_officer")
    profile = client.get(reverse("authority_indicators", kwargs={"dfe_code": "886"})).content.decode()
    assert "Flag<span" in profile
    form = client.get(_flag_url())
    assert form.status_code == 200 and "Flag a value as wrong" in form.content.decode()
    empty = client.post(_flag_url(), {"comment": ""})
    assert empty.status_code == 200 and "Say what is wrong with the value" in empty.content.decode()
    done = client.post(_flag_url(), {"comment": "Our own count is 14.2; the 2018 figure was double counted."})
    assert done.status_code == 302 and done["Location"] == reverse("authority_indicators", kwargs={"dfe_code": "886"})
    flag = Flag.objects.get()
    value = Value.objects.get(period__indicator__code="RTA", period__label="2017-19", authority__dfe_code="886")
    assert (flag.value, flag.raised_by, flag.status, flag.value_when_flagged) == (value, officer, "open", value.value)
    again = client.post(_flag_url(), {"comment": "And again"})
    assert "already flagged" in again.content.decode()
    assert Flag.objects.count() == 1
    shown = client.get(reverse("indicator_detail", args=["RTA"]), {"period": "2017-19", "authority": "886"})
    assert "This value is flagged as wrong" in shown.content.decode()

    persona("inspector")
    listed = client.get(reverse("indicator_flags")).content.decode()
    assert "Kent" in listed and "double counted" in listed
    detail = reverse("indicator_flag", kwargs={"pk": flag.pk})
    refused = client.post(detail, {"action": "resolve", "response": ""})
    assert "Say what was checked" in refused.content.decode()
    answered = client.post(detail, {"action": "resolve", "response": "Checked with DfE: the figure stands."})
    assert answered.status_code == 302
    flag.refresh_from_db()
    assert flag.status == "resolved" and flag.closed_by.username == "inspector"


def test_officers_are_kept_to_their_own_authority(sample, client, persona):
    persona("kent_officer")
    client.post(_flag_url(), {"comment": "Wrong"})
    flag = Flag.objects.get()
    persona("surrey_officer")
    assert client.get(_flag_url()).status_code == 403
    assert client.post(_flag_url(), {"comment": "Not ours"}).status_code == 403
    assert client.get(reverse("indicator_flag", kwargs={"pk": flag.pk})).status_code == 404
    assert "Kent" not in client.get(reverse("indicator_flags")).content.decode()
    assert client.post(reverse("indicator_flag", kwargs={"pk": flag.pk}), {"action": "withdraw"}).status_code == 404
    flag.refresh_from_db()
    assert flag.status == "open"
    assert "Flag<span" not in client.get(reverse("authority_indicators", kwargs={"dfe_code": "886"})).content.decode()
    persona("kent_officer")
    withdrawn = client.post(reverse("indicator_flag", kwargs={"pk": flag.pk}), {"action": "withdraw"})
    assert withdrawn.status_code == 302
    flag.refresh_from_db()
    assert flag.status == "withdrawn"


def test_flag_pages_need_the_right_role(sample, client, persona):
    assert client.get(_flag_url())["Location"].startswith("/account/sign-in/")
    persona("inspector")
    assert client.get(_flag_url()).status_code == 403  # inspectors answer flags; officers raise them
    persona("publisher")
    assert client.get(reverse("indicator_flags")).status_code == 403


def test_admins_neither_raise_nor_answer_flags(sample, client, persona):
    """An admin keeps accounts, cycles and reference data; flags are the officers' and the inspectors'."""
    persona("kent_officer")
    client.post(_flag_url(), {"comment": "Wrong"})
    flag = Flag.objects.get()
    detail = reverse("indicator_flag", kwargs={"pk": flag.pk})
    persona("admin")
    assert client.get(_flag_url()).status_code == 403
    assert client.get(reverse("indicator_flags")).status_code == 403
    assert client.get(detail).status_code == 403
    assert client.post(detail, {"action": "resolve", "response": "Fine"}).status_code == 403
    assert client.post(detail, {"action": "withdraw"}).status_code == 403
    flag.refresh_from_db()
    assert flag.status == "open"


def test_only_the_inspectorate_is_offered_the_answer_and_only_the_raiser_the_withdrawal(sample, client, persona):
    persona("kent_officer")
    client.post(_flag_url(), {"comment": "Wrong"})
    detail = reverse("indicator_flag", kwargs={"pk": Flag.objects.get().pk})
    own = client.get(detail).content.decode()
    assert "Withdraw this flag" in own and "Answer the flag" not in own
    persona("inspector")
    answering = client.get(detail).content.decode()
    assert "Answer the flag" in answering and "Withdraw this flag" not in answering
    assert client.post(detail, {"action": "withdraw"}).status_code == 403


def _body(response, pk: int) -> str:
    """A page's HTML without its flag's address and the CSRF token (masked afresh on every page), so that two
    pages for different flags can be compared."""
    page = response.content.decode().replace(reverse("indicator_flag", kwargs={"pk": pk}), "/indicators/flags/PK/")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken"', page)


def test_another_authoritys_flag_answers_as_a_missing_one(sample, client, persona):
    """Regression (issue 10): another authority's flag said "belongs to another authority" (403) while a missing
    one said 404, so an officer could learn which flags exist. Both are now the same 404, GET and POST."""
    persona("kent_officer")
    client.post(_flag_url(), {"comment": "Our own count differs"}, follow=True)  # follow: its message is shown
    flag = Flag.objects.get()
    missing = flag.pk + 1000
    persona("surrey_officer")
    for method, data in (("get", {}), ("post", {"action": "withdraw"}), ("post", {"action": "resolve",
                                                                                  "response": "x"})):
        theirs = getattr(client, method)(reverse("indicator_flag", kwargs={"pk": flag.pk}), data)
        nothing = getattr(client, method)(reverse("indicator_flag", kwargs={"pk": missing}), data)
        assert theirs.status_code == nothing.status_code == 404, method
        assert _body(theirs, flag.pk) == _body(nothing, missing), method
        assert "another authority" not in theirs.content.decode()
    flag.refresh_from_db()
    assert flag.status == "open"
    persona("moderator")
    assert client.get(reverse("indicator_flag", kwargs={"pk": flag.pk})).status_code == 200


def test_the_flags_command_shows_an_officer_its_own_authoritys_only(sample, client, persona, run_apa):
    persona("kent_officer")
    client.post(_flag_url(), {"comment": "Kent's is wrong"})
    persona("surrey_officer")
    client.post(_flag_url(dfe="936"), {"comment": "Surrey's is wrong"})

    def listed(*argv):
        code, out, err = run_apa("indicators", "flags", "--status", "all", *argv)
        assert code == 0, err
        return {row["authority"] for row in csv.DictReader(io.StringIO(out))}

    assert listed("--as", "kent_officer") == {"886"}
    assert listed("--as", "surrey_officer") == {"936"}
    assert listed("--as", "inspector") == listed("--as", "moderator") == {"886", "936"}
    assert listed("--as", "inspector", "--authority", "Surrey") == {"936"}
    for argv, words in ((["--as", "kent_officer", "--authority", "Surrey"], "only your own authority's flags"),
                        ([], "required: --as"), (["--as", "admin"], "may list indicator flags"),
                        (["--as", "publisher"], "may list indicator flags")):
        code, out, err = run_apa("indicators", "flags", *argv)
        errors = [line for line in err.splitlines() if line.startswith("error: ")]
        assert code == 2 and out == "" and len(errors) == 1 and words in errors[0], (argv, err)
