"""Feature list used at serving time.

Must be identical to training/features.py::TRAINING_FEATURES (same names, same
order). It is written out here instead of imported so that inference never
imports the training package; docgate's feature-mismatch rule keeps the two in
sync.
"""

INFERENCE_FEATURES = [
    "return_1m",
    "return_15m",
    "return_5m",
    "vwap_deviation",
    "volume_zscore_5m",
    "dollar_volume_1m",
    "realized_vol_15m",
    "atr_14",
    "bid_ask_spread_bps",
    "minutes_since_open",
    "day_of_week",
]
