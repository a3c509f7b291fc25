"""Feature definitions for the intraday model: the single source of truth.

Training builds its matrices from TRAINING_FEATURES in this exact order.
inference/features.py must list the same names in the same order.
New features are appended at the end and require a MODEL_VERSION bump.
"""

MODEL_VERSION = "2026.10.1"

PRICE_FEATURES = [
    "return_1m",
    "return_5m",
    "return_15m",
    "vwap_deviation",
]

VOLUME_FEATURES = [
    "volume_zscore_5m",
    "dollar_volume_1m",
    "order_imbalance",
]

VOLATILITY_FEATURES = [
    "realized_vol_15m",
    "atr_14",
    "bid_ask_spread_bps",
]

CALENDAR_FEATURES = [
    "minutes_since_open",
    "day_of_week",
]

TRAINING_FEATURES = PRICE_FEATURES + VOLUME_FEATURES + VOLATILITY_FEATURES + CALENDAR_FEATURES
