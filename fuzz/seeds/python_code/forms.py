import ray
from . import util
from ..training import train as t
import importlib as il
il.import_module(".x", package="a.b")
__import__("ray.serve")
if TYPE_CHECKING:
    import torch
try:
    pass
except* ValueError:  # docgate: allow[silent-fallback]
    pass
finally:
    return 1
with suppress(KeyError):
    pass
