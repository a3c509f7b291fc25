from pkg.a import FEATURES
#@ pkg/a.py
from pkg.b import FEATURES
#@ pkg/b.py
from .features import FEATURES
