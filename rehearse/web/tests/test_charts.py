"""Bar-chart geometry (rehearse.web.charts): pure arithmetic, no database."""

from __future__ import annotations

import itertools

import pytest

from rehearse.web.charts import CHAR_WIDTH, Chart, bar_chart, column_chart, number, text_width


def baseline(chart: Chart) -> float:
    return chart.axis[1]


def heights(chart: Chart, series: int = 0) -> list[float]:
    return [bar.height for bar in chart.bars if bar.series == series]


# -- columns ------------------------------------------------------------------------


def test_columns_are_proportional_and_the_largest_fills_the_plot() -> None:
    chart = column_chart([("a", [1]), ("b", [2]), ("c", [4])], plot_height=100)
    assert heights(chart) == [25, 50, 100]
    for bar in chart.bars:
        assert bar.y + bar.height == pytest.approx(baseline(chart))
        assert bar.y >= 0
    assert [bar.label for bar in chart.bars] == ["a", "b", "c"]
    assert [bar.value for bar in chart.bars] == [1, 2, 4]


def test_columns_share_the_width_in_equal_slots_inside_the_chart() -> None:
    chart = column_chart([(str(day), [day]) for day in range(7)], width=350)
    xs = [bar.x for bar in chart.bars]
    gaps = {round(b - a, 1) for a, b in itertools.pairwise(xs)}
    assert len(gaps) == 1
    assert len({bar.width for bar in chart.bars}) == 1
    assert chart.bars[0].x > 0
    assert chart.bars[-1].x + chart.bars[-1].width < chart.width


def test_all_zeros_and_no_columns_draw_nothing_without_dividing_by_zero() -> None:
    zeros = column_chart([("a", [0, 0]), ("b", [0, 0])])
    assert {bar.height for bar in zeros.bars} == {0}
    assert zeros.values == ()
    assert len(zeros.labels) == 2
    empty = column_chart([])
    assert (empty.bars, empty.labels, empty.values) == ((), (), ())
    assert empty.height > 0


def test_stacked_series_sit_on_each_other_and_scale_by_the_total() -> None:
    chart = column_chart([("a", [3, 1]), ("b", [1, 1])], plot_height=80)
    bottom_a, top_a, bottom_b, top_b = chart.bars
    assert (bottom_a.series, top_a.series) == (0, 1)
    assert (bottom_a.height, top_a.height) == (60, 20)  # total 4 is the largest
    assert top_a.y + top_a.height == pytest.approx(bottom_a.y)
    assert (bottom_b.height, top_b.height) == (20, 20)
    assert [label.text for label in chart.values] == ["4", "2"]


def test_a_fixed_max_value_scales_and_caps_the_columns() -> None:
    chart = column_chart([("a", [5]), ("b", [20])], plot_height=100, max_value=10)
    assert heights(chart) == [50, 100]
    assert min(bar.y for bar in chart.bars) >= baseline(chart) - 100


def test_negative_values_count_as_zero() -> None:
    chart = column_chart([("a", [-3]), ("b", [2])], plot_height=10)
    assert heights(chart) == [0, 10]


def test_numbers_are_written_above_columns_only_where_they_fit() -> None:
    week = column_chart([(f"d{i}", [1_000 * i]) for i in range(7)])
    assert [label.text for label in week.values] == [number(1_000 * i) for i in range(1, 7)]
    for label, bar in zip(week.values, week.bars[1:], strict=True):
        assert label.y < bar.y  # above its bar
        assert label.x == pytest.approx(bar.x + bar.width / 2)
    month = column_chart([(f"d{i}", [1_000]) for i in range(30)])
    assert text_width("1,000") > month.bars[0].width
    assert month.values == ()
    # All or none: one number too wide leaves every column unnumbered.
    mixed = column_chart([(f"d{i}", [5]) for i in range(29)] + [("d29", [25])])
    assert text_width("25") > mixed.bars[0].width
    assert mixed.values == ()
    assert len(column_chart([(f"d{i}", [5]) for i in range(30)]).values) == 30


def test_category_labels_are_thinned_out_from_the_last_one_when_they_would_overlap() -> None:
    columns = [(f"{day} Mar", [day]) for day in range(1, 31)]
    chart = column_chart(columns)
    texts = [label.text for label in chart.labels]
    assert texts[-1] == "30 Mar"
    assert 2 < len(texts) < 30
    xs = [label.x for label in chart.labels]
    spacing = min(b - a for a, b in itertools.pairwise(xs))
    assert spacing >= text_width("30 Mar")
    week = column_chart(
        [(name, [1]) for name in ["Today", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]]
    )
    assert len(week.labels) == 7
    assert all(label.y > baseline(week) for label in week.labels)


# -- rows -----------------------------------------------------------------------------


def test_rows_are_proportional_to_a_fixed_maximum() -> None:
    chart = bar_chart([("SQL", 1.0), ("HTTP", 0.5), ("New", 0.0)], max_value=1.0)
    full, half, none = chart.bars
    assert half.width == pytest.approx(full.width / 2, abs=0.01)
    assert none.width == 0
    assert full.x + full.width < chart.width
    assert [bar.y for bar in chart.bars] == sorted(bar.y for bar in chart.bars)
    assert chart.height >= chart.bars[-1].y + chart.bars[-1].height


def test_rows_scale_to_the_largest_value_without_a_maximum() -> None:
    chart = bar_chart([("a", 2), ("b", 8)])
    small, large = chart.bars
    assert small.width * 4 == pytest.approx(large.width, abs=0.05)
    assert bar_chart([("a", 0), ("b", 0)]).bars[1].width == 0


def test_every_row_has_its_number_right_of_its_bar_inside_the_chart() -> None:
    chart = bar_chart([("a", 1.0), ("b", 0.25)], max_value=1.0, value_text=lambda v: f"{v:.0%}")
    assert [label.text for label in chart.values] == ["100%", "25%"]
    for label, bar in zip(chart.values, chart.bars, strict=True):
        assert label.x > bar.x + bar.width
        assert label.x + text_width(label.text) <= chart.width
        assert bar.y < label.y <= bar.y + bar.height


def test_a_long_row_name_is_shortened_to_fit() -> None:
    long = "Transactions, isolation levels and locking in PostgreSQL, explained"
    chart = bar_chart([(long, 0.5)], width=300)
    name = chart.labels[0].text
    assert name.endswith("…")
    assert long.startswith(name[:-1])
    assert text_width(name) <= 300 - chart.labels[0].x
    assert chart.bars[0].label == long  # the full name stays with the data


def test_the_view_box_spans_the_chart() -> None:
    chart = bar_chart([("a", 1)], width=360)
    assert chart.view_box == f"0 0 360 {chart.height:g}"
    assert CHAR_WIDTH > 0


def test_numbers_are_written_as_people_write_them() -> None:
    assert (number(3), number(1234.0), number(2.5)) == ("3", "1,234", "2.5")


def test_no_text_sticks_out_of_the_chart() -> None:
    charts = [
        column_chart([(f"{day} Mar", [day, 1]) for day in range(1, 31)]),
        column_chart([("Wednesday", [10_000]), ("Thursday", [1])], width=120),
        bar_chart([("A topic", 1.0), ("Another", 0.0)], max_value=1.0),
    ]
    for chart in charts:
        for label in (*chart.labels, *chart.values):
            share = {"start": 0.0, "middle": 0.5, "end": 1.0}[label.anchor]
            left = label.x - share * text_width(label.text)
            assert left >= 0, label
            assert left + text_width(label.text) <= chart.width, label
