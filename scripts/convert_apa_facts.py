"""Convert ../shared/data/apa/apa_and_rating_facts_from_pages.csv to the APA results layout.

Run once by a developer (`.venv/bin/python scripts/convert_apa_facts.py PATH`); its output,
apa/publication/data/apa_and_rating_results.csv, ships with APA. Rows whose year or authority cannot be
placed are printed, not guessed, and listed in docs/data-sources.md.
"""

import csv
import os
import sys
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apa.settings")

import django  # noqa: E402

django.setup()

from apa.authorities.selectors import authority_resolve  # noqa: E402
from apa.errors import ApaError  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "apa" / "publication" / "data" / "apa_and_rating_results.csv"
HEADER = ["authority", "framework", "year", "area", "grade", "inspection_date", "publication_date", "source", "note"]

# The facts file's judgement names, per framework, to the framework's area codes.
AREAS = {
    "apa-2005": {"education": "education", "children_social_care": "social_care",
                 "childrens_services_overall": "overall", "capacity_to_improve": "capacity_to_improve"},
    "apa-2006": {"childrens_services_overall": "overall_contribution", "capacity_to_improve": "capacity_to_improve",
                 "children_social_care": "social_care_contribution"},
    "apa-2007": {"overall_effectiveness": "overall_effectiveness", "capacity_to_improve": "capacity_to_improve",
                 "being_healthy": "being_healthy", "staying_safe": "staying_safe",
                 "enjoying_and_achieving": "enjoying_and_achieving",
                 "making_a_positive_contribution": "positive_contribution",
                 "achieving_economic_wellbeing": "economic_wellbeing"},
}
AREAS["apa-2008"] = {**AREAS["apa-2007"], "cyp_score": "overall_effectiveness"}
RATING = {"overall": "overall"}


def framework_for(row) -> str | None:
    if not row["year"].isdigit():
        return None
    year = int(row["year"])
    if row["assessment"] == "APA":
        return f"apa-{year}"
    if row["assessment"].startswith("annual children's services"):
        return "rating-2009"
    if row["assessment"] == "CPA children and young people block" and year == 2008:
        # The CPA 2008 children and young people block score is the APA 2008 overall grade.
        return "apa-2008"
    return None


def main(path: str) -> int:
    placed, unplaced = [], []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            framework = framework_for(row)
            area = (RATING if framework == "rating-2009" else AREAS.get(framework, {})).get(row["judgement"])
            if framework is None or area is None:
                unplaced.append((number, row, "year or framework cannot be placed"))
                continue
            try:
                authority = authority_resolve(text=row["authority"])
            except ApaError as exc:
                unplaced.append((number, row, exc.lines[0]))
                continue
            note = row["note"]
            if row["assessment"].startswith("CPA"):
                note = "; ".join(filter(None, ["CPA 2008 children and young people block score", note]))
            placed.append({
                "authority": authority.dfe_code, "framework": framework, "year": row["year"], "area": area,
                "grade": row["grade"], "inspection_date": "", "publication_date": "",
                "source": row["source_url"], "note": note,
            })
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(placed)
    print(f"{len(placed)} rows written to {OUT}")
    for number, row, why in unplaced:
        print(f"not placed: row {number}: {row['year']} {row['assessment']} {row['authority']} "
              f"{row['judgement']} {row['grade']}: {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
