"""Health endpoints used by the load balancer and the morning Go/No-Go check."""

from fastapi import APIRouter, HTTPException, Request

from app.services.monitoring.heartbeat import HeartbeatMonitor
from inference.predictor import Predictor

router = APIRouter(prefix="/api/v1/health", tags=["health"])


@router.get("/live")
def live() -> dict:
    """Process is up. Says nothing about whether we can trade."""
    return {"status": "ok"}


@router.get("/ready")
def ready(request: Request) -> dict:
    """Ready to trade: every heartbeat fresh and the expected model loaded."""
    monitor: HeartbeatMonitor = request.app.state.heartbeat
    predictor: Predictor = request.app.state.predictor

    stale = monitor.stale_components()
    if stale:
        raise HTTPException(status_code=503, detail={"stale": stale})
    return {
        "status": "ready",
        "heartbeats": monitor.snapshot(),
        **predictor.describe(),
    }
