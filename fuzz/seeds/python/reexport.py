from pkg.features import FEATURE_COLUMNS
FEATURES = list(FEATURE_COLUMNS)
#@ pkg/features/__init__.py
from .schema import FEATURE_COLUMNS, LABEL_COLUMN
__all__ = ["FEATURE_COLUMNS", "LABEL_COLUMN"]
#@ pkg/features/schema.py
FEATURE_COLUMNS = ["age", "tenure"]
LABEL_COLUMN = "churned"
