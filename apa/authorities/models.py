from django.db import models

REGIONS = [
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
]

DFE_TYPES = {
    "SC": "Shire county",
    "UA": "Unitary authority",
    "MD": "Metropolitan district",
    "ILB": "Inner London borough",
    "OLB": "Outer London borough",
}


class Authority(models.Model):
    """A local authority with children's services responsibilities, identified by its DfE code."""

    dfe_code = models.CharField(max_length=3, unique=True)
    name = models.CharField(max_length=120)
    region = models.CharField(max_length=40)
    london_area = models.CharField(max_length=20, blank=True)  # "Inner London" or "Outer London"
    dfe_type = models.CharField(max_length=4, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    # The authority's normalised names and codes, for fast resolution and search.
    search_text = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "authorities"

    def __str__(self) -> str:
        return f"{self.name} ({self.dfe_code})"

    @property
    def type_label(self) -> str:
        return DFE_TYPES.get(self.dfe_type, self.dfe_type or "Not recorded")

    @property
    def is_current(self) -> bool:
        return self.end_date is None

    def existed_on(self, day) -> bool:
        return (self.start_date is None or self.start_date <= day) and (self.end_date is None or self.end_date >= day)

    @property
    def current_ons_code(self) -> str:
        codes = [c for c in self.ons_codes.all() if c.current]
        return codes[0].code if codes else ""


class OnsCode(models.Model):
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="ons_codes")
    code = models.CharField(max_length=9, unique=True)
    current = models.BooleanField(default=False)

    class Meta:
        ordering = ["-current", "code"]


class AlternativeName(models.Model):
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(max_length=200)
    normalised = models.CharField(max_length=200, db_index=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["authority", "normalised"], name="alt_name_unique")]


class Succession(models.Model):
    predecessor = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="successions")
    successor = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="predecessions")
    date = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["predecessor", "successor"], name="succession_unique")]


class Neighbour(models.Model):
    """DfE children's services statistical neighbours: ten per authority per set, ranked, with closeness."""

    set_year = models.PositiveSmallIntegerField()
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="neighbours")
    neighbour = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="neighbour_of")
    rank = models.PositiveSmallIntegerField()
    closeness = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["set_year", "authority", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["set_year", "authority", "rank"], name="neighbour_rank_unique"),
        ]
