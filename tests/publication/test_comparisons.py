"""Comparisons: the Kent sentence on a constructed cycle, and every rule of issue 2 §6."""

from datetime import date

import pytest

from apa.authorities.models import Authority
from apa.errors import ApaError
from apa.frameworks.selectors import framework_get
from apa.publication.models import Result
from apa.publication.selectors import (
    authorities_compared,
    competition_rank,
    quartile_of,
    result_changes,
)
from tests.factories import import_rows, score_rows

# Kent's 2025 statistical neighbours, as the DfE file lists them.
KENT_NEIGHBOURS = {"881", "845", "878", "303", "935", "926", "891", "938", "822", "933"}


# --- Pure rules: no database. ---------------------------------------------------------------------------

@pytest.mark.parametrize("score, scores, rank", [
    (8, [8, 8, 7, 7, 6], 1),
    (7, [8, 8, 7, 7, 6], 3),  # two higher: ties share the lowest rank
    (6, [8, 8, 7, 7, 6], 5),
    (5, [5], 1),
    (4, [4, 4, 4, 4], 1),
])
def test_competition_ranking(score, scores, rank):
    assert competition_rank(score, scores) == rank


@pytest.mark.parametrize("rank, compared, quartile", [
    # 1 when rank <= n/4, 2 when <= n/2, 3 when <= 3n/4, else 4.
    (1, 126, 1), (12, 126, 1), (31, 126, 1), (32, 126, 2),   # 126/4 = 31.5
    (63, 126, 2), (64, 126, 3),                              # 126/2 = 63
    (94, 126, 3), (95, 126, 4), (126, 126, 4),               # 3*126/4 = 94.5
    (1, 4, 1), (2, 4, 2), (3, 4, 3), (4, 4, 4),
    (2, 8, 1), (3, 8, 2), (4, 8, 2), (6, 8, 3), (7, 8, 4),
    (1, 11, 1), (2, 11, 1), (3, 11, 2),                      # 11/4 = 2.75
])
def test_quartile_boundaries(rank, compared, quartile):
    assert quartile_of(rank, compared) == quartile


@pytest.mark.parametrize("rank, compared", [(1, 1), (1, 2), (2, 2), (1, 3), (3, 3)])
def test_fewer_than_four_have_no_quartile(rank, compared):
    # Quartiles need at least four: "1st of 1" is not the 4th quartile, nor "1st of 3" the 2nd.
    assert quartile_of(rank, compared) is None


# --- The Kent sentence on a constructed cycle. -------------------------------------------------------------

AS_OF = date(2007, 12, 17)  # Kent's cabinet meeting
PUBLISHED = "2007-11-29"
LATER = "2008-01-15"  # after appeals or a Joint Area Review


@pytest.fixture
def kent_cycle(db, tmp_path):
    """APA 2007 with 126 authorities published by 17 December 2007, 11 of them scoring more highly than Kent
    (overall effectiveness + capacity to improve), plus results that must not count."""
    Result.objects.filter(framework__code="apa-2007").delete()  # start the year empty
    existing = list(
        Authority.objects.filter(start_date__isnull=True).exclude(dfe_code="886").order_by("dfe_code")
        .values_list("dfe_code", flat=True)
    )
    higher, same, lower = existing[:11], existing[11:41], existing[41:125]
    late, partial = existing[125:130], existing[130]
    rows = score_rows(authority="886", framework="apa-2007", year=2007, publication_date=PUBLISHED,
                      grades={"overall_effectiveness": 3, "capacity_to_improve": 4, "staying_safe": 3})
    for code in higher:
        rows += score_rows(authority=code, framework="apa-2007", year=2007, publication_date=PUBLISHED,
                           grades={"overall_effectiveness": 4, "capacity_to_improve": 4, "staying_safe": 2})
    for code in same:
        rows += score_rows(authority=code, framework="apa-2007", year=2007, publication_date=PUBLISHED,
                           grades={"overall_effectiveness": 4, "capacity_to_improve": 3, "staying_safe": 4})
    for i, code in enumerate(lower):
        rows += score_rows(authority=code, framework="apa-2007", year=2007, publication_date=PUBLISHED,
                           grades={"overall_effectiveness": 1 + i % 3, "capacity_to_improve": 1 + i % 3,
                                   "staying_safe": 4})
    for code in late:  # published after the as-of date: not yet counted
        rows += score_rows(authority=code, framework="apa-2007", year=2007, publication_date=LATER,
                           grades={"overall_effectiveness": 4, "capacity_to_improve": 4})
    # Graded for overall effectiveness only: not compared on overall + capacity.
    rows += score_rows(authority=partial, framework="apa-2007", year=2007, publication_date=PUBLISHED,
                       grades={"overall_effectiveness": 4})
    # North Northamptonshire did not exist in 2007: never compared then, whatever the file says.
    rows += score_rows(authority="940", framework="apa-2007", year=2007, publication_date=PUBLISHED,
                       grades={"overall_effectiveness": 4, "capacity_to_improve": 4})
    import_rows(tmp_path, rows)
    return {"higher": higher, "same": same, "lower": lower, "late": late, "partial": partial,
            "compared": {"886", *higher, *same, *lower}}


def _compare(**kwargs):
    options = {"framework": framework_get(code="apa-2007"), "authority": Authority.objects.get(dfe_code="886"),
               "year": 2007, "as_of": AS_OF, **kwargs}
    return authorities_compared(**options)


def test_the_kent_sentence(kent_cycle):
    """'the 126 Authorities published so far places Kent in the top quartile ... with only 11 scoring more
    highly than Kent' (Kent cabinet, 17 December 2007)."""
    c = _compare(score="overall_effectiveness+capacity_to_improve")
    assert (c.score, c.rank, c.compared, c.higher, c.quartile) == (7, 12, 126, 11, 1)
    assert {a.dfe_code for a, _, _ in c.table} == kent_cycle["compared"]
    assert c.as_dict()["authorities"] == [a.dfe_code for a, _, _ in c.table]


def test_the_default_score_is_overall_plus_capacity(kent_cycle):
    c = _compare()
    assert [a.code for a in c.areas] == ["overall_effectiveness", "capacity_to_improve"]
    assert (c.rank, c.compared, c.higher) == (12, 126, 11)


def test_the_year_defaults_to_the_latest_published(kent_cycle):
    c = _compare(year=None)
    assert c.year == 2007
    assert (c.rank, c.compared) == (12, 126)


def test_ties_share_a_rank(kent_cycle):
    c = _compare()
    ranks = {a.dfe_code: rank for a, _, rank in c.table}
    assert {ranks[code] for code in kent_cycle["same"]} == {12}
    assert {ranks[code] for code in kent_cycle["higher"]} == {1}
    # Eleven higher, Kent and thirty more score 7: the next score down ranks 43.
    assert min(r for r in ranks.values() if r > 12) == 43


def test_an_authority_missing_an_area_is_not_compared(kent_cycle):
    c = _compare()
    assert kent_cycle["partial"] not in {a.dfe_code for a, _, _ in c.table}
    partial = Authority.objects.get(dfe_code=kent_cycle["partial"])
    alone = _compare(authority=partial)
    assert (alone.rank, alone.quartile, alone.score) == (None, None, None)
    assert alone.compared == 126
    # On overall effectiveness alone it is compared, and ranks with the other 4s.
    on_overall = _compare(authority=partial, score="overall_effectiveness")
    assert on_overall.compared == 127 and on_overall.rank == 1


def test_as_of_excludes_results_published_later(kent_cycle):
    later = _compare(as_of=date(2008, 2, 1))
    assert (later.rank, later.compared, later.higher, later.quartile) == (17, 131, 16, 1)
    assert set(kent_cycle["late"]) <= {a.dfe_code for a, _, _ in later.table}
    before = _compare(as_of=date(2007, 11, 28))
    assert (before.rank, before.compared) == (None, 0)


def test_as_of_excludes_authorities_that_did_not_exist(kent_cycle):
    assert "940" not in {a.dfe_code for a, _, _ in _compare().table}


def test_another_score(kent_cycle):
    # Staying safe: Kent 3; the 30 'same' scored 4 and the 84 'lower' all 4; the 11 'higher' scored 2.
    c = _compare(score="staying_safe")
    assert (c.score, c.compared, c.higher, c.rank) == (3, 126, 114, 115)
    assert c.quartile == 4


def test_groups(kent_cycle):
    compared = kent_cycle["compared"]
    everyone = {a.dfe_code: a for a in Authority.objects.filter(dfe_code__in=compared)}
    kent = everyone["886"]

    region = _compare(group="region")
    expected = {code for code, a in everyone.items() if a.region == "South East"}
    assert {a.dfe_code for a, _, _ in region.table} == expected
    assert region.compared == len(expected)

    by_type = _compare(group="type")
    assert {a.dfe_code for a, _, _ in by_type.table} == {c for c, a in everyone.items() if a.dfe_type == "SC"}

    neighbours = _compare(group="neighbours")
    assert {a.dfe_code for a, _, _ in neighbours.table} == (KENT_NEIGHBOURS | {"886"}) & compared

    for c in (region, by_type, neighbours):
        assert kent in [a for a, _, _ in c.table]  # the authority is always in its group
        higher = sum(1 for _, score, _ in c.table if score > 7)
        assert (c.higher, c.rank) == (higher, higher + 1)
        assert c.quartile == quartile_of(c.rank, c.compared)


def test_an_unknown_group_or_a_year_for_ilacs_is_refused(kent_cycle):
    with pytest.raises(ApaError):
        _compare(group="friends")
    with pytest.raises(ApaError):
        authorities_compared(framework=framework_get(code="ilacs-2018"),
                             authority=Authority.objects.get(dfe_code="886"), year=2022)


# --- The shipped ILACS history, compared by hand from Ofsted's file. --------------------------------------

@pytest.mark.django_db
def test_kent_among_its_neighbours_on_ilacs():
    """On 5 July 2022 Kent (outstanding, 4) had been published, as had Essex 4, East Sussex 4, Devon 1,
    Bexley 4, Suffolk 4, Nottinghamshire 3, West Sussex 1 and Bedford 3; Norfolk (2023) and Somerset
    (September 2022) had not."""
    c = authorities_compared(framework=framework_get(code="ilacs-2018"), authority=Authority.objects.get(
        dfe_code="886"), as_of=date(2022, 7, 5), group="neighbours")
    assert {a.dfe_code for a, _, _ in c.table} == {"886", "881", "845", "878", "303", "935", "891", "938", "822"}
    assert (c.score, c.rank, c.compared, c.higher, c.quartile) == (4, 1, 9, 0, 1)
    assert c.year is None


@pytest.mark.django_db
def test_ilacs_counts_only_authorities_that_existed_on_the_date():
    ilacs = framework_get(code="ilacs-2018")

    def compared(code, day):
        return authorities_compared(framework=ilacs, authority=Authority.objects.get(dfe_code=code), as_of=day)

    # Bournemouth (837, inspected 2018) ended on 31 March 2019; Northamptonshire (928, 2019) in 2021.
    codes_2019 = {a.dfe_code for a, _, _ in compared("886", date(2019, 12, 31)).table}
    assert "837" not in codes_2019 and "928" in codes_2019
    codes_2022 = {a.dfe_code for a, _, _ in compared("886", date(2022, 1, 1)).table}
    assert "928" not in codes_2022 and "838" in codes_2022  # Dorset: published 19 November 2021
    assert "838" not in {a.dfe_code for a, _, _ in compared("886", date(2021, 11, 18)).table}


@pytest.mark.django_db
def test_the_latest_ilacs_result_counts():
    # Suffolk: outstanding in 2019, requires improvement in August 2024.
    ilacs, suffolk = framework_get(code="ilacs-2018"), Authority.objects.get(dfe_code="935")
    assert authorities_compared(framework=ilacs, authority=suffolk, as_of=date(2024, 8, 20)).score == 4
    assert authorities_compared(framework=ilacs, authority=suffolk, as_of=date(2024, 8, 21)).score == 2


# --- Change since last time, across frameworks. -----------------------------------------------------------

def _changes(code, framework, key):
    result = Result.objects.get(authority__dfe_code=code, framework__code=framework, key=key)
    return {c.area.code: c for c in result_changes(result=result)}


@pytest.mark.django_db
def test_kent_2007_is_the_same_as_2006():
    """'Overall the scores are the same as last year's assessment' (Kent cabinet, 17 December 2007)."""
    changes = _changes("886", "apa-2007", "2007")
    for area, grade in (("overall_effectiveness", 3), ("capacity_to_improve", 4), ("social_care_contribution", 3)):
        assert (changes[area].grade, changes[area].previous_grade, changes[area].direction) == (grade, grade, "same")
        assert changes[area].previous_result.framework.code == "apa-2006"
    assert changes["being_healthy"].direction == "no earlier grade"  # outcomes were not graded in 2006


@pytest.mark.django_db
def test_better_and_worse_across_frameworks(tmp_path):
    # Stockton-on-Tees: overall 3 in 2005, overall contribution 4 in 2006.
    assert _changes("808", "apa-2006", "2006")["overall_contribution"].direction == "better"
    import_rows(tmp_path, score_rows(authority="808", framework="apa-2008", year=2008,
                                     grades={"overall_effectiveness": 2}))
    change = _changes("808", "apa-2008", "2008")["overall_effectiveness"]
    assert (change.direction, change.previous_grade, change.previous_result.year) == ("worse", 4, 2007)
