"""Charts: Altair (Vega-Lite) specs rendered to static SVG by vl-convert. No JavaScript, no CDN."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

RANKS = ["Good", "Average", "Poor", "Unknown"]
RANK_COLORS = ["#2e9d5b", "#e0a526", "#d64545", "#9aa1a9"]
PALETTE = ["#3b6fb6", "#e0a526", "#2e9d5b", "#d64545", "#7b5ea7", "#3aa6a6", "#9aa1a9", "#c2702d"]


def _json_safe(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _field_type(records: list[dict[str, Any]], field: str) -> str:
    for record in records:
        value = record.get(field)
        if value is None:
            continue
        if isinstance(value, dt.date):
            return "temporal"
        if isinstance(value, bool):
            return "nominal"
        if isinstance(value, int | float | decimal.Decimal):
            return "quantitative"
        return "nominal"
    return "nominal"


def humanize(name: str) -> str:
    return name.replace("_", " ").strip().capitalize()


def _rank_like(values: list[Any]) -> bool:
    present = {value for value in values if value is not None}
    return bool(present) and present <= set(RANKS)


def chart_svg(
    kind: str,
    records: list[dict[str, Any]],
    x: str,
    y: str,
    series: str | None = None,
    horizontal: bool = False,
    stacked: bool = True,
    width: int = 560,
    height: int = 220,
    x_title: str | None = None,
    y_title: str | None = None,
    y_min: float | None = None,
    y_max: float | None = None,
    y_format: str | None = None,
) -> str:
    """A bar/line/area chart as an SVG string. `y` may list several columns ("good,average,poor")."""
    import altair as alt
    import vl_convert

    y_fields = [name.strip() for name in y.split(",") if name.strip()]
    for name in [x, *y_fields, *([series] if series else [])]:
        if records and name not in records[0]:
            raise KeyError(f"column `{name}` is not in the data (columns: {', '.join(records[0])})")
    if not any(record.get(name) is not None for record in records for name in y_fields):
        return _empty_svg(width, height)
    x_type = _field_type(records, x)
    values = [{key: _json_safe(value) for key, value in record.items()} for record in records]
    chart = alt.Chart(alt.Data(values=values))
    value_field, color_field = y_fields[0], series
    if len(y_fields) > 1:
        chart = chart.transform_fold(y_fields, as_=["series", "value"])
        value_field, color_field = "value", "series"
        series_values: list[Any] = y_fields
    else:
        series_values = [record.get(series) for record in records] if series else []

    scale = alt.Scale(domain=[y_min, y_max]) if y_min is not None and y_max is not None else alt.Undefined
    stack = ("zero" if stacked else None) if kind in ("bar", "area") else alt.Undefined
    axis = alt.Axis(format=y_format) if y_format else alt.Undefined
    value_channel = dict(
        field=value_field,
        type="quantitative",
        title=y_title or (humanize(value_field) if len(y_fields) == 1 else None),
        scale=scale,
        stack=stack,
        axis=axis,
    )
    category_channel: dict[str, Any] = dict(field=x, type=x_type, title=x_title or humanize(x))
    if x_type != "temporal":
        category_channel["sort"] = None  # keep the SQL's order
    elif kind == "bar":
        # one band per day, so daily bars neither overlap nor shrink to hairlines
        category_channel["timeUnit"] = "yearmonthdate"
    if x_type == "nominal":
        category_channel["axis"] = alt.Axis(labelLimit=160, labelAngle=0 if horizontal else -30)
    encoding: dict[str, Any] = {}
    if horizontal:
        encoding["y"] = alt.Y(**category_channel)
        encoding["x"] = alt.X(**value_channel)
    else:
        encoding["x"] = alt.X(**category_channel)
        encoding["y"] = alt.Y(**value_channel)

    single_color: dict[str, Any] = {}
    if color_field:
        rank_colors = _rank_like(series_values)
        color_scale = alt.Scale(domain=RANKS, range=RANK_COLORS) if rank_colors else alt.Scale(range=PALETTE)
        encoding["color"] = alt.Color(
            field=color_field,
            type="nominal",
            scale=color_scale,
            sort=RANKS if rank_colors else alt.Undefined,
            legend=alt.Legend(orient="bottom", title=None),
        )
    elif kind == "bar" and _rank_like([record.get(x) for record in records]):
        encoding["color"] = alt.Color(
            field=x, type="nominal", scale=alt.Scale(domain=RANKS, range=RANK_COLORS), legend=None
        )
    else:
        single_color = {"color": PALETTE[0]}

    if kind == "bar":
        mark = chart.mark_bar(**single_color)
    elif kind == "line":
        mark = chart.mark_line(point=len(records) <= 40, strokeWidth=2, **single_color)
    else:
        mark = chart.mark_area(opacity=0.85, **single_color)
    spec = (
        mark.encode(**encoding)
        .properties(width=width, height=height)
        .configure(font="sans-serif")
        .configure_view(stroke=None)
        .configure_axis(
            labelFontSize=11, titleFontSize=11, labelColor="#333", titleColor="#333", gridColor="#e6e6e6"
        )
        .configure_legend(labelFontSize=11)
    )
    svg = vl_convert.vegalite_to_svg(spec.to_dict(validate=False))
    return svg.replace("<svg ", '<svg role="img" preserveAspectRatio="xMinYMin meet" ', 1)


def _empty_svg(width: int, height: int) -> str:
    """No rows (or only nulls): an empty frame saying so, instead of a degenerate scale."""
    import altair as alt
    import vl_convert

    spec = (
        alt.Chart(alt.Data(values=[{"label": "No data for this chart"}]))
        .mark_text(fontSize=13, color="#616e7c")
        .encode(text="label:N")
        .properties(width=width, height=min(height, 80))
        .configure_view(stroke="#e4e7eb")
    )
    svg = vl_convert.vegalite_to_svg(spec.to_dict(validate=False))
    return svg.replace("<svg ", '<svg role="img" preserveAspectRatio="xMinYMin meet" ', 1)
