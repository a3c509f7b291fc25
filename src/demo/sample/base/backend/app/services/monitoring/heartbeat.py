"""Heartbeat tracking for the components that must be alive to trade."""

import time
from dataclasses import dataclass, field

REQUIRED_COMPONENTS = ("market_data", "predictor", "order_router", "risk_engine")
STALE_AFTER_SECONDS = 15.0


@dataclass
class HeartbeatMonitor:
    stale_after: float = STALE_AFTER_SECONDS
    _last_seen: dict = field(default_factory=dict)

    def beat(self, component: str) -> None:
        if component not in REQUIRED_COMPONENTS:
            raise ValueError(f"unknown component {component!r}")
        self._last_seen[component] = time.monotonic()

    def stale_components(self) -> list:
        now = time.monotonic()
        return [
            name
            for name in REQUIRED_COMPONENTS
            if now - self._last_seen.get(name, float("-inf")) > self.stale_after
        ]

    def snapshot(self) -> dict:
        now = time.monotonic()
        return {
            name: round(now - seen, 1) for name, seen in sorted(self._last_seen.items())
        }
