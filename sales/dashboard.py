"""The sales dashboard (SAL-6): counts and amounts per stage and programme, and a bar chart.

One aggregate query; the chart's geometry is computed here so the template only draws
rectangles (inline SVG: no script, nothing fetched).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum

from portal.money import money_format
from sales.models import Sale, Stage
from sales.stages import PIPELINE

STAGES = [*PIPELINE, Stage.CANCELLED, Stage.WITHDRAWN]

# The chart's drawing box, in SVG user units.
CHART_WIDTH = 720
CHART_HEIGHT = 300
CHART_TOP = 24
CHART_BOTTOM = 96  # room for the slanted stage names under the bars


@dataclass
class Cell:
    count: int = 0
    amount: str = ""


@dataclass
class Row:
    name: str
    currency: str
    cells: list[Cell] = field(default_factory=list)
    count: int = 0
    amount: str = ""


@dataclass
class Bar:
    label: str
    count: int
    x: float
    y: float
    width: float
    height: float
    label_x: float
    value_y: float


def _bars(counts: list[tuple[str, int]]) -> list[Bar]:
    highest = max((count for _label, count in counts), default=0) or 1
    slot = CHART_WIDTH / len(counts)
    width = slot * 0.6
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    bars = []
    for index, (label, count) in enumerate(counts):
        height = round(plot_height * count / highest, 1)
        x = round(index * slot + (slot - width) / 2, 1)
        y = round(CHART_TOP + plot_height - height, 1)
        bars.append(
            Bar(
                label=label,
                count=count,
                x=x,
                y=y,
                width=round(width, 1),
                height=height,
                label_x=round(x + width / 2, 1),
                value_y=round(y - 6, 1),
            )
        )
    return bars


def sales_dashboard(sales: QuerySet[Sale]) -> dict[str, Any]:
    """The dashboard of these sales (already scoped to the user): a table programme × stage with
    counts and amounts, the totals per stage (amounts per currency), and the bars of the chart."""
    groups = (
        sales.order_by()
        .values("programme_id", "programme__name", "programme__currency", "stage")
        .annotate(count=Count("pk"), amount=Sum("price"))
        .order_by("programme__name", "programme_id")
    )
    column: dict[str, int] = {stage: index for index, stage in enumerate(STAGES)}
    rows: dict[int, Row] = {}
    amounts: dict[int, list[Decimal]] = {}
    stage_counts = [0] * len(STAGES)
    stage_amounts: list[dict[str, Decimal]] = [defaultdict(Decimal) for _stage in STAGES]
    for group in groups:
        programme_id, currency = group["programme_id"], group["programme__currency"]
        if programme_id not in rows:
            rows[programme_id] = Row(
                name=group["programme__name"], currency=currency, cells=[Cell() for _stage in STAGES]
            )
            amounts[programme_id] = [Decimal("0")] * len(STAGES)
        index = column[group["stage"]]
        row = rows[programme_id]
        row.cells[index].count = group["count"]
        row.count += group["count"]
        amounts[programme_id][index] = group["amount"] or Decimal("0")
        stage_counts[index] += group["count"]
        stage_amounts[index][currency] += group["amount"] or Decimal("0")
    for programme_id, row in rows.items():
        for cell, amount in zip(row.cells, amounts[programme_id], strict=True):
            cell.amount = money_format(amount, row.currency) if cell.count else ""
        live = sum(
            (
                amount
                for stage, amount in zip(STAGES, amounts[programme_id], strict=True)
                if stage in PIPELINE
            ),
            Decimal("0"),
        )
        row.amount = money_format(live, row.currency)
    totals = [
        Cell(
            count=count,
            amount=" · ".join(
                money_format(amount, currency) for currency, amount in sorted(by_currency.items())
            ),
        )
        for count, by_currency in zip(stage_counts, stage_amounts, strict=True)
    ]
    labels = [str(Stage(stage).label) for stage in STAGES]
    return {
        "stages": labels,
        "rows": list(rows.values()),
        "totals": totals,
        "total_count": sum(stage_counts),
        "bars": _bars(list(zip(labels, stage_counts, strict=True))),
        "chart": {"width": CHART_WIDTH, "height": CHART_HEIGHT, "baseline": CHART_HEIGHT - CHART_BOTTOM},
    }
