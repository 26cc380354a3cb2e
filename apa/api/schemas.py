"""The API's response shapes and its parameters' types. Every field is typed, so the OpenAPI document says
exactly what a response holds; `None` is JSON null and means "not known" or "not given" as each field says."""

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, Field


class Schema(BaseModel):
    """Plain pydantic: every endpoint builds its answer as a dict, so ninja's reading of model attributes is not
    needed (and costs a tenth of a second per hundred results)."""


# ----------------------------------------------------------------------------------------------------------
# Parameters. Patterns keep out what could never match (and NUL bytes, which PostgreSQL refuses in text).


def _iso_date(value):
    """Only YYYY-MM-DD: pydantic would also read a bare number as a Unix timestamp."""
    if isinstance(value, date):
        return value
    text = str(value)
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise ValueError("use a date as YYYY-MM-DD")
    return date.fromisoformat(text)


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
DfeCode = Annotated[str, Field(pattern=r"^[0-9]{3}$", description="the authority's three-digit DfE code",
                                json_schema_extra={"example": "886"})]
FrameworkCode = Annotated[str, Field(pattern=r"^[a-z0-9-]{1,40}$", description="a framework's code",
                                      json_schema_extra={"example": "ilacs-2018"})]
ResultKey = Annotated[str, Field(pattern=r"^[0-9-]{4,10}$",
                                 description="the result's year, or its inspection date (YYYY-MM-DD)",
                                 json_schema_extra={"example": "2022-05-09"})]
Version = Annotated[int, Field(ge=1, le=32767, json_schema_extra={"example": 1})]
Year = Annotated[int, Field(ge=1900, le=2100)]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]
# A DfE code, an ONS code or a name, as on the command line.
AuthorityText = Annotated[str, Field(min_length=1, max_length=120, pattern=r"^[^\x00-\x1f]*[^\x00-\x20][^\x00-\x1f]*$",
                                     description="a DfE code, an ONS code or a name", json_schema_extra={"example": "Kent"})]
Text = Annotated[str, Field(max_length=200, pattern=r"^[^\x00-\x1f]*$")]
IndicatorCode = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f]+$",
                                     description="the indicator's code exactly as published (URL-encoded)",
                                     json_schema_extra={"example": "A3A"})]
Score = Annotated[str, Field(pattern=r"^[a-z0-9_]+(\+[a-z0-9_]+)*$", max_length=200,
                             description="areas summed, joined by '+' (default: the framework's usual score)")]


# ----------------------------------------------------------------------------------------------------------
# Errors


class Error(Schema):
    code: str = Field(description="stable, for programs: not_found, invalid, ambiguous, method_not_allowed")
    message: str = Field(description="a sentence for people, saying what to do next")


# ----------------------------------------------------------------------------------------------------------
# Frameworks


class GradeLevel(Schema):
    value: int = Field(description="higher is better")
    label: str
    descriptor: str


class Area(Schema):
    code: str
    title: str
    short_title: str
    kind: str
    display_order: int
    required: bool
    graded_from: int | None
    continues: str | None = Field(description="framework:area this area continues, for change over time")


class NationalPublication(Schema):
    year: int
    date: date
    source: str


class FrameworkSummary(Schema):
    code: str
    title: str
    yearly: bool
    first_year: int | None
    last_year: int | None
    default_score: str
    url: str


class Framework(FrameworkSummary):
    description: str
    source: str
    grades: list[GradeLevel]
    areas: list[Area]
    national_publications: list[NationalPublication]
    years_with_results: list[int]


# ----------------------------------------------------------------------------------------------------------
# Authorities


class AuthorityRef(Schema):
    dfe_code: str
    name: str
    url: str


class OnsCode(Schema):
    code: str
    current: bool


class Succession(Schema):
    authority: AuthorityRef
    date: date


class Neighbour(Schema):
    rank: int
    authority: AuthorityRef
    closeness: str


class AuthoritySummary(Schema):
    dfe_code: str
    name: str
    region: str
    london_area: str | None
    type: str | None = Field(description="DfE type: SC, UA, MD, ILB or OLB")
    type_label: str
    start_date: date | None
    end_date: date | None
    current: bool
    ons_code: str | None = Field(description="its current ONS code")
    url: str


class Authority(AuthoritySummary):
    ons_codes: list[OnsCode]
    other_names: list[str]
    predecessors: list[Succession]
    successors: list[Succession]
    neighbour_set: int | None = Field(description="the statistical neighbour set listed (its year)")
    neighbours: list[Neighbour]
    neighbour_sets: list[int]


class Neighbours(Schema):
    authority: AuthorityRef
    set_year: int | None
    neighbours: list[Neighbour]


# ----------------------------------------------------------------------------------------------------------
# Results and letters


class Grade(Schema):
    area: str
    area_title: str
    grade: int
    label: str
    sources: list[str]


class LetterLinks(Schema):
    html: str = Field(description="the letter's permalink (this version)")
    pdf: str


class VersionRef(Schema):
    version: int
    current: bool
    url: str


class Result(Schema):
    url: str = Field(description="this version's URL in the API")
    authority: AuthorityRef
    framework: str
    year: int | None
    key: str = Field(description="what identifies the result within authority and framework: its year or date")
    inspection_date: date | None
    inspection_type: str
    publication_date: date | None
    publication_basis: str = Field(description="given, national or unknown: where the publication date came from")
    counts_from: date = Field(description="the date from which comparisons count it")
    published_at: datetime | None = Field(description="when a cycle's result became public; null for imported ones")
    version: int
    current: bool
    correction_note: str
    grades: list[Grade]
    letter: LetterLinks | None
    versions: list[VersionRef] = Field(description="every public version, oldest first")


class Letter(Schema):
    url: str
    authority: AuthorityRef
    framework: str
    year: int | None
    key: str
    version: int
    current: bool
    published_at: datetime | None
    publication_date: date | None
    correction_note: str
    title: str
    html: str
    pdf: str
    result: str = Field(description="the result version's URL in the API")
    superseded_by: str | None = Field(description="the API URL of the version that corrected this one")


# ----------------------------------------------------------------------------------------------------------
# Comparisons


class Ranked(Schema):
    rank: int
    authority: AuthorityRef
    score: int


class Count(Schema):
    score: int
    authorities: int


class Comparison(Schema):
    framework: str
    year: int | None
    authority: AuthorityRef
    score_areas: list[str]
    as_of: date
    group: str
    score: int | None = Field(description="null when the authority has no published grade for every area")
    rank: int | None = Field(description="competition rank: 1 + the number scoring more highly")
    compared: int
    higher: int | None = Field(description="how many scored more highly")
    quartile: int | None = Field(description="1 is the top; null when not placed (see docs/comparisons.md)")
    table: list[Ranked]
    distribution: list[Count] = Field(description="how many authorities had each score, highest first")


# ----------------------------------------------------------------------------------------------------------
# Indicators


class IndicatorSummary(Schema):
    code: str
    title: str
    topics: list[str]
    outcomes: list[str]
    polarity: str
    unit: str
    year_type: str
    url: str


class Period(Schema):
    label: str
    status: str | None


class Indicator(IndicatorSummary):
    description: str
    decimal_places: int | None
    quartile_bands: bool
    source: str
    outcomes_edited: bool
    periods: list[Period]


class TrendPoint(Schema):
    period: str
    value: float | None
    quartile_band: str | None


class Benchmark(Schema):
    """The answer of `apa benchmark INDICATOR --authority A --format json`."""

    indicator: str
    indicator_title: str
    polarity: str
    unit: str | None
    decimal_places: int | None
    period: str
    period_status: str | None
    authority: str
    authority_name: str
    value: float | None
    missing_reason: str | None
    rank: int | None
    ranked: int
    quartile_band: str | None
    quartiles: list[float] | None
    england: float | None
    region: float | None
    region_name: str
    london_area: float | None
    london_area_name: str | None
    neighbour_average: float | None
    neighbours_with_value: int
    neighbour_set: int | None
    previous_period: str | None
    previous_value: float | None
    change: float | None
    direction: str | None
    previous_band: str | None
    worse_periods: int
    trend: list[TrendPoint]


class Value(Schema):
    authority: str
    authority_name: str
    value: float | None
    missing_reason: str | None = Field(description="why there is no value, as published ('-', c, x, ...)")
    rank: int | None
    quartile_band: str | None
    neighbour_average: float | None
    change: float | None
    direction: str | None


class AreaValue(Schema):
    area: str
    value: float | None


class Values(Schema):
    indicator: str
    period: str
    period_status: str | None
    ranked: int
    quartiles: list[float] | None
    england: float | None
    areas: list[AreaValue] = Field(description="England's and the regions' values as published")
    values: list[Value]


# ----------------------------------------------------------------------------------------------------------
# Council decisions


class CallIn(Schema):
    date: date
    members: list[str]
    reason: str
    outcome: str | None
    outcome_date: date | None


class DecisionSummary(Schema):
    id: int
    url: str
    authority: AuthorityRef
    title: str
    decision_date: date
    publication_date: date | None
    key_decision: bool
    callin_deadline: datetime | None
    effective_from: date | None
    page: str = Field(description="the decision's page on the site")


class Decision(DecisionSummary):
    decision: str
    reasons: str
    alternatives_rejected: str
    conflicts: str
    dispensations: str
    urgent: bool
    urgent_reason: str
    deadline_as_given: bool
    callins: list[CallIn]


# ----------------------------------------------------------------------------------------------------------
# Joint Area Reviews and the CPA feed


class JarGrade(Schema):
    code: str = Field(description="the JAR core area")
    title: str
    grade: int | None
    label: str


class JarOutcome(Schema):
    authority: AuthorityRef
    framework: str
    year: int | None
    key: str
    result: str = Field(description="the API URL of the result version the review drew on")
    fieldwork_from: date
    fieldwork_to: date
    publication_date: date
    note: str
    grades: list[JarGrade]


class CpaRow(Schema):
    """A row of the CPA feed: the children and young people block score of a CPA year."""

    cpa_year: int
    dfe_code: str
    authority: str
    children_and_young_people: int
    apa_framework: str
    apa_result_version: int | None = Field(description="null where the score comes from a printed CPA table only")
    source: str


class CpaDisagreement(Schema):
    cpa_year: int
    dfe_code: str
    authority: str
    apa_grade: int
    cpa_score: int
    apa_framework: str
    apa_result_version: int
    apa_source: str
    cpa_council: str
    cpa_source: str
