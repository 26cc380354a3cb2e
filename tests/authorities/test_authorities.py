"""Authorities over time: codes, names, reorganisations and statistical neighbours from the data files."""

from datetime import date

import pytest

from apa.authorities.models import REGIONS, AlternativeName, Authority, Neighbour, OnsCode, Succession
from apa.authorities.selectors import (
    authority_list,
    authority_resolve,
    neighbour_set_years,
    neighbours_of,
)
from apa.authorities.services import authorities_load, normalise_name
from apa.errors import ApaError, NotFound

pytestmark = pytest.mark.django_db


def _get(code):
    return Authority.objects.get(dfe_code=code)


def _snapshot():
    return (
        sorted(Authority.objects.values_list("pk", "dfe_code", "name", "region", "start_date", "end_date")),
        sorted(OnsCode.objects.values_list("pk", "code", "current")),
        sorted(AlternativeName.objects.values_list("pk", "name")),
        sorted(Succession.objects.values_list("pk", "predecessor_id", "successor_id", "date")),
        Neighbour.objects.count(),
        sorted(Neighbour.objects.values_list("pk", flat=True))[:5],
    )


def test_every_authority_is_loaded():
    # The DfE LAIT code list has 158 local authority codes below 970 (970 and above are England and regions).
    assert Authority.objects.count() == 158


def test_loading_again_changes_nothing():
    before = _snapshot()
    assert authorities_load() == {"created": 0, "updated": 0, "unchanged": 158}
    assert _snapshot() == before


def test_regions_and_london_areas():
    assert set(Authority.objects.values_list("region", flat=True)) == set(REGIONS)
    london = Authority.objects.filter(region="London")
    assert london.count() == 33
    assert london.filter(london_area="Inner London").count() == 14
    assert london.filter(london_area="Outer London").count() == 19
    assert not Authority.objects.exclude(region="London").exclude(london_area="").exists()
    kent = _get("886")
    assert (kent.name, kent.region, kent.dfe_type) == ("Kent", "South East", "SC")


@pytest.mark.parametrize("text", ["370", "E08000016", "E08000038", "e08000016", "Barnsley", "barnsley "])
def test_barnsley_by_dfe_code_every_ons_code_and_name(text):
    assert authority_resolve(text=text).dfe_code == "370"


def test_barnsley_current_ons_code_is_the_new_one():
    assert _get("370").current_ons_code == "E08000038"


@pytest.mark.parametrize("text, code", [
    ("Kent", "886"),
    ("E10000016", "886"),
    ("St Helens", "342"),            # 'St. Helens' in the code list: punctuation does not matter
    ("Corporation of London", "201"),  # an alternative name
    ("City of London Corporation", "201"),
])
def test_resolution_by_name_and_alternative_name(text, code):
    assert authority_resolve(text=text).dfe_code == code


def test_unknown_authority_is_not_found():
    with pytest.raises(NotFound) as refused:
        authority_resolve(text="Atlantis")
    assert "Atlantis" in str(refused.value)
    with pytest.raises(ApaError):
        authority_resolve(text="  ")


def test_an_ambiguous_name_lists_the_candidates():
    AlternativeName.objects.create(authority=_get("887"), name="Kent", normalised=normalise_name("Kent"))
    with pytest.raises(ApaError) as refused:
        authority_resolve(text="Kent")
    assert refused.value.code == "ambiguous"
    message = str(refused.value)
    assert "886 Kent" in message and "887 Medway" in message


def test_bournemouth_is_ambiguous_unless_a_date_settles_it():
    # 'Bournemouth' names the old borough (837) and is an alternative name of BCP (839).
    with pytest.raises(ApaError) as refused:
        authority_resolve(text="Bournemouth")
    assert "837" in str(refused.value) and "839" in str(refused.value)
    assert authority_resolve(text="Bournemouth", on=date(2018, 6, 1)).dfe_code == "837"
    assert authority_resolve(text="Bournemouth", on=date(2020, 6, 1)).dfe_code == "839"


def _successors(code):
    return {s.successor.dfe_code for s in Succession.objects.filter(predecessor__dfe_code=code)}


def _predecessors(code):
    return {s.predecessor.dfe_code for s in Succession.objects.filter(successor__dfe_code=code)}


def test_bournemouth_poole_and_dorset_2019():
    for code in ("837", "836", "835"):
        assert _get(code).end_date == date(2019, 3, 31)
    for code in ("839", "838"):
        assert _get(code).start_date == date(2019, 4, 1)
    assert _successors("837") == {"839"}
    assert _successors("836") == {"839"}
    assert _successors("835") == {"838", "839"}  # Christchurch, in Dorset county, went to BCP
    assert _predecessors("839") == {"835", "836", "837"}
    assert _predecessors("838") == {"835"}
    assert set(Succession.objects.filter(successor__dfe_code__in=["838", "839"]).values_list("date", flat=True)) == {
        date(2019, 3, 31)}


def test_northamptonshire_2021():
    assert _get("928").end_date == date(2021, 3, 31)
    assert _successors("928") == {"940", "941"}
    assert _get("940").start_date == _get("941").start_date == date(2021, 4, 1)


def test_cumbria_2023():
    assert _get("909").end_date == date(2023, 3, 31)
    assert _successors("909") == {"942", "943"}
    assert _get("942").start_date == _get("943").start_date == date(2023, 4, 1)


@pytest.mark.parametrize("code, ons_codes, current", [
    ("815", {"E06000065", "E10000023"}, "E06000065"),  # North Yorkshire
    ("933", {"E06000066", "E10000027"}, "E06000066"),  # Somerset
])
def test_councils_that_changed_form_but_kept_their_code_continue(code, ons_codes, current):
    authority = _get(code)
    assert (authority.start_date, authority.end_date) == (None, None)
    assert set(authority.ons_codes.values_list("code", flat=True)) == ons_codes
    assert authority.current_ons_code == current
    assert not _successors(code) and not _predecessors(code)
    for ons in ons_codes:
        assert authority_resolve(text=ons) == authority


def test_existed_on_follows_the_code_dates():
    northamptonshire, north = _get("928"), _get("940")
    assert northamptonshire.existed_on(date(2021, 3, 31)) and not northamptonshire.existed_on(date(2021, 4, 1))
    assert north.existed_on(date(2021, 4, 1)) and not north.existed_on(date(2021, 3, 31))


# Kent's statistical neighbours, in rank order, as the DfE files list them.
KENT_2021 = ["881", "845", "866", "885", "888", "941", "891", "937", "935", "860"]
KENT_2025 = ["881", "845", "878", "303", "935", "926", "891", "938", "822", "933"]


def test_neighbour_sets():
    assert neighbour_set_years() == [2021, 2025]
    kent = _get("886")
    assert [n.neighbour.dfe_code for n in neighbours_of(authority=kent, set_year=2021)] == KENT_2021
    assert [n.neighbour.dfe_code for n in neighbours_of(authority=kent, set_year=2025)] == KENT_2025
    assert [n.rank for n in neighbours_of(authority=kent, set_year=2025)] == list(range(1, 11))
    assert neighbours_of(authority=kent, set_year=2021)[0].closeness == "Extremely Close"


def test_latest_neighbour_set_is_the_default():
    assert [n.neighbour.dfe_code for n in neighbours_of(authority=_get("886"))] == KENT_2025
    # Northamptonshire ended in 2021: only the 2021 set lists it.
    assert len(neighbours_of(authority=_get("928"))) == 10
    assert {n.set_year for n in neighbours_of(authority=_get("928"))} == {2021}


def test_authority_list_filters():
    assert "886" in {a.dfe_code for a in authority_list(query="kent")}
    assert {a.dfe_code for a in authority_list(query="E08000016")} == {"370"}
    assert authority_list(region="London").count() == 33
    assert authority_list(region="Inner London").count() == 14
    assert authority_list(dfe_type="SC").count() == 27
    assert authority_list(region="South East").count() == 19
    assert {a.dfe_code for a in authority_list(status="former")} == {"835", "836", "837", "928", "909"}
    assert authority_list(status="current").count() == 158 - 5


def test_a_changed_data_file_updates_only_what_changed(tmp_path):
    import shutil

    from apa.authorities.services import DATA_DIR

    directory = tmp_path / "authorities"
    shutil.copytree(DATA_DIR, directory)
    codes = directory / "la_code_list_lait_dfe.csv"
    codes.write_text(codes.read_text(encoding="utf-8-sig").replace("886,Kent,South East,SC",
                                                                   "886,Kent County,South East,SC"))
    kent_pk = _get("886").pk
    assert authorities_load(directory=directory) == {"created": 0, "updated": 1, "unchanged": 157}
    kent = _get("886")
    assert (kent.pk, kent.name) == (kent_pk, "Kent County")
    assert authority_resolve(text="Kent County").dfe_code == "886"
    assert authority_resolve(text="E10000016") == kent
    assert [n.neighbour.dfe_code for n in neighbours_of(authority=kent)] == KENT_2025
