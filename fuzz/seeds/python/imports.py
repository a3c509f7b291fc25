from .base import BASE as B
from pkg.extra import *
from . import sibling
import ray.data as rd
FEATURES = B + ['c']
MODEL_VERSION = sibling.VERSION
#@ pkg/__init__.py
#@ pkg/base.py
BASE = ['a', 'b']
#@ pkg/extra.py
from ..top import TOP
EXTRA = TOP
#@ top.py
TOP = ("t",)
