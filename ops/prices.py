"""The price list and the priced bill: the data both the cost model (cost.py) and its
tables (report.py) speak, kept here so neither has to import the other."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

PRICES_FILE = Path(__file__).with_name("prices.json")


@dataclass(frozen=True)
class Price:
    unit: str
    per: float
    tiers: tuple[tuple[float, float], ...]  # (cumulative units up to, USD per `per` units)

    def cost(self, quantity: float) -> float:
        usd, floor = 0.0, 0.0
        for ceiling, rate in self.tiers:
            usd += max(0.0, min(quantity, ceiling) - floor) * rate / self.per
            floor = ceiling
        return usd


@dataclass(frozen=True)
class PriceList:
    region: str
    as_of: str
    prices: dict[str, Price]


def load_prices(path: Path = PRICES_FILE) -> PriceList:
    raw = json.loads(path.read_text())
    prices = {}
    for name, entry in raw["prices"].items():
        tiers = entry.get("tiers") or [{"up_to": None, "usd": entry["usd"]}]
        bands = tuple((math.inf if t["up_to"] is None else float(t["up_to"]), float(t["usd"])) for t in tiers)
        prices[name] = Price(entry["unit"], float(entry.get("per", 1)), bands)
    return PriceList(str(raw["region"]), str(raw["as_of"]), prices)


@dataclass(frozen=True)
class CostLine:
    item: str
    quantity: float
    unit: str
    usd: float


@dataclass(frozen=True)
class MonthlyCost:
    orders_per_second: float
    orders: float
    lines: tuple[CostLine, ...]
    rest_api_usd: float  # REST API instead of HTTP API, for comparison: not in the total

    @property
    def total_usd(self) -> float:
        return sum(line.usd for line in self.lines)

    @property
    def usd_per_million_orders(self) -> float | None:
        return self.total_usd / self.orders * 1e6 if self.orders else None
