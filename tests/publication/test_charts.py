"""The release's SVG charts, without a database: accessible, escaped, and drawn from the numbers given."""

import re
from datetime import date

from apa.publication import charts


def test_a_stacked_bar_chart_is_an_image_with_a_title_and_the_numbers_in_words():
    svg = charts.stacked_bars(chart_id="c", title="Grades <by> area", rows=[("Overall & more", [2, 0, 1])],
                              segments=["4 Outstanding", "3 Good", "2 Adequate"],
                              colours=charts.grade_colours(3))
    assert svg.startswith('<svg class="apa-chart" id="c"') and 'role="img"' in svg
    assert 'aria-labelledby="c-title c-desc"' in svg
    assert '<title id="c-title">Grades &lt;by&gt; area</title>' in svg
    assert "Overall &amp; more: 2 4 Outstanding, 0 3 Good, 1 2 Adequate" in svg
    # Two segments drawn (the empty one is not), each labelled with its number; the plot is 660 - 190 - 60 wide.
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="\d+" width="([\d.]+)" height="22"', svg)]
    assert widths == [273.3, 136.7]  # 2 and 1 of 3
    assert ">2</text>" in svg and ">1</text>" in svg and "<script" not in svg


def test_nothing_to_draw_is_no_chart():
    assert charts.stacked_bars(chart_id="c", title="t", rows=[], segments=[], colours=[]) == ""
    assert charts.bars(chart_id="c", title="t", rows=[]) == ""
    assert charts.cumulative(chart_id="c", title="t", points=[]) == ""


def test_bars_are_as_long_as_their_numbers():
    svg = charts.bars(chart_id="s", title="Authorities by score", rows=[("Score 8", 1), ("Score 7", 2)])
    widths = [float(w) for w in re.findall(r'<rect x="190" y="\d+" width="([\d.]+)"', svg)]
    assert widths == [205.0, 410.0]  # the longest fills the 410-pixel plot
    assert "Score 8: 1; Score 7: 2" in svg


def test_the_cumulative_chart_says_how_many_on_how_many_days():
    svg = charts.cumulative(chart_id="p", title="Published", points=[(date(2027, 12, 10), 4), (date(2027, 12, 17), 2)])
    assert "6 published on 2 days, from 10 December 2027 to 17 December 2027" in svg
    one = charts.cumulative(chart_id="p", title="Published", points=[(date(2008, 12, 17), 19)])
    assert "19 published on 1 day, from 17 December 2008 to 17 December 2008" in one
