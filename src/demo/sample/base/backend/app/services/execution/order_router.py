"""Routes risk-checked orders to the broker gateway."""

import logging

from app.services.monitoring.heartbeat import HeartbeatMonitor
from app.services.risk.risk_limits import OrderIntent, check_order

log = logging.getLogger(__name__)


class BrokerRejected(Exception):
    pass


class OrderRouter:
    def __init__(self, gateway, positions, pnl, monitor: HeartbeatMonitor) -> None:
        self.gateway = gateway
        self.positions = positions
        self.pnl = pnl
        self.monitor = monitor

    def submit(self, order: OrderIntent) -> str:
        # Risk check raises RiskLimitBreached; it is deliberately not caught here.
        check_order(order, self.positions.net(order.symbol), self.pnl.realized_today())

        ack = self.gateway.send(
            symbol=order.symbol,
            side=order.side,
            quantity=order.contracts,
            limit_price=order.price,
            time_in_force="IOC",
        )
        if not ack.accepted:
            raise BrokerRejected(f"{order.symbol} {order.side} {order.contracts}: {ack.reason}")

        self.monitor.beat("order_router")
        log.info("routed %s %s x%d @ %s id=%s", order.side, order.symbol,
                 order.contracts, order.price, ack.order_id)
        return ack.order_id
