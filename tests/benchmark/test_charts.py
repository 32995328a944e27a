"""The charts' own texts: numbers in the page's notation, the legend outside the plot."""

import re
from decimal import Decimal

from django.utils import translation

from benchmark import charts
from benchmark.selectors import SpendShare


def test_a_percentage_axis_speaks_the_language_of_the_page():
    with translation.override("nl"):
        assert [charts._percent(v) for v in (2.5, 10, 12.5)] == ["2,5%", "10%", "12,5%"]
    with translation.override("en"):
        assert [charts._percent(v) for v in (2.5, 10, 12.5)] == ["2.5%", "10%", "12.5%"]


def test_the_spend_chart_writes_its_ticks_the_dutch_way_on_a_dutch_page():
    rows = [SpendShare(label="Energie", total=None, circular=None, share=Decimal("12.5"))]
    with translation.override("nl"):
        svg = charts.spend_chart(rows, reference=10, reference_label="Landelijk doel: 10%")
    # matplotlib draws text as paths, each after a comment with the text it draws
    texts = re.findall(r"<!-- ([^>]*) -->", svg)
    assert {"2,5%", "7,5%", "10%", "Landelijk doel: 10%"} <= set(texts)
    assert not [text for text in texts if "." in text]
