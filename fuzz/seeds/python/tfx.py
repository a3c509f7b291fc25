# Copyright 2026 The Taxi Tips Authors.
"""Feature keys and transforms shared by the Transform and Trainer components.

Keys are grouped by how `preprocessing_fn` treats them: dense floats are
z-scored, bucket features are bucketized, vocab features get a vocabulary.
"""

import tensorflow as tf
import tensorflow_transform as tft

# Dense float features, scaled to z-scores.
DENSE_FEATURES = [
    'trip_miles',
    'fare',
    'trip_seconds',
]

# Number of buckets used by tf.transform for encoding each feature.
FEATURE_BUCKET_COUNT = 10

BUCKET_FEATURES = [
    'pickup_latitude', 'pickup_longitude',
    'dropoff_latitude', 'dropoff_longitude',
]

# Number of vocabulary terms used for encoding VOCAB_FEATURES by tf.transform
VOCAB_SIZE = 1000

# Count of out-of-vocab buckets in which unrecognized VOCAB_FEATURES are hashed.
OOV_SIZE = 10

VOCAB_FEATURES = [
    'payment_type',
    'company',
]

# Categorical features are assumed to each have a maximum value in the dataset.
MAX_CATEGORICAL_FEATURE_VALUES = [24, 31, 12]

CATEGORICAL_FEATURES = [
    'trip_start_hour',
    'trip_start_day',
    'trip_start_month',
]

LABEL_KEY = 'tips'
FARE_KEY = 'fare'

ALL_FEATURES = DENSE_FEATURES + BUCKET_FEATURES + VOCAB_FEATURES

TRANSFORMED_FEATURES = [key + '_xf' for key in ALL_FEATURES]


def transformed_name(key):
    return key + '_xf'


def preprocessing_fn(inputs):
    """tf.transform's callback function for preprocessing inputs."""
    outputs = {}
    for key in DENSE_FEATURES:
        outputs[transformed_name(key)] = tft.scale_to_z_score(inputs[key])
    for key in VOCAB_FEATURES:
        outputs[transformed_name(key)] = tft.compute_and_apply_vocabulary(
            inputs[key], top_k=VOCAB_SIZE, num_oov_buckets=OOV_SIZE)
    for key in BUCKET_FEATURES:
        outputs[transformed_name(key)] = tft.bucketize(inputs[key], FEATURE_BUCKET_COUNT)
    outputs[LABEL_KEY] = tf.cast(inputs[LABEL_KEY] > 0.2 * inputs[FARE_KEY], tf.int64)
    return outputs
