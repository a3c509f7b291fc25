"""Distributed training entry point. Runs on the Ray cluster only.

Never import this module from inference/ or backend/: ray is not installed in
the serving image (see docs/post-mortems/2026-02-06-ray-in-inference.md).
"""

import argparse

import ray
from ray import train

from training.features import MODEL_VERSION, TRAINING_FEATURES


def clip_outliers(row: dict, limit: float = 5.0) -> dict:
    """Clip z-scored features to +/- limit, as the training pipeline does."""
    return {k: max(-limit, min(limit, v)) if k.endswith("_zscore_5m") else v for k, v in row.items()}


def train_loop(config: dict) -> None:
    dataset = train.get_dataset_shard("train")
    for batch in dataset.iter_batches(batch_size=config["batch_size"]):
        missing = [name for name in TRAINING_FEATURES if name not in batch]
        if missing:
            raise KeyError(f"training batch is missing features: {missing}")
        # model.fit(...) elided: the trainer lives in the private ml-core package


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch-size", type=int, default=4096)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()

    ray.init(address="auto")
    print(f"training model {MODEL_VERSION} on {len(TRAINING_FEATURES)} features")
    train_loop({"batch_size": args.batch_size, "workers": args.workers})


if __name__ == "__main__":
    main()
