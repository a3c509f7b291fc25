"""Pre-trade risk limits. Every order passes check_order() before routing.

Numbers here are signed off by the risk owner; see docs/risk/risk-limits.md.
"""

from dataclasses import dataclass

MAX_POSITION_CONTRACTS = 150
MAX_ORDER_CONTRACTS = 25
MAX_DAILY_LOSS_USD = 40_000
MAX_ORDER_NOTIONAL_USD = 3_000_000


class RiskLimitBreached(Exception):
    """Raised when an order would violate a pre-trade limit. Never caught to retry."""


@dataclass(frozen=True)
class OrderIntent:
    symbol: str
    side: str  # "buy" or "sell"
    contracts: int
    price: float
    multiplier: float


def check_order(order: OrderIntent, position: int, realized_pnl_usd: float) -> None:
    if order.contracts <= 0 or order.contracts > MAX_ORDER_CONTRACTS:
        raise RiskLimitBreached(f"order size {order.contracts} outside 1..{MAX_ORDER_CONTRACTS}")

    signed = order.contracts if order.side == "buy" else -order.contracts
    if abs(position + signed) > MAX_POSITION_CONTRACTS:
        raise RiskLimitBreached(
            f"position would be {position + signed}, limit {MAX_POSITION_CONTRACTS}"
        )

    notional = order.contracts * order.price * order.multiplier
    if notional > MAX_ORDER_NOTIONAL_USD:
        raise RiskLimitBreached(f"notional ${notional:,.0f} over ${MAX_ORDER_NOTIONAL_USD:,}")

    if realized_pnl_usd <= -MAX_DAILY_LOSS_USD:
        raise RiskLimitBreached(f"daily loss ${-realized_pnl_usd:,.0f} hit the limit")
