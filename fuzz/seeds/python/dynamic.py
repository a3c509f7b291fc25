import tensorflow as tf
FEATURES = [f for f in Y]
X = load()
n = 1
Y = [f'a{n}']
Z = ['a'] if True else ['b']
W = ['a']
W.append('b')
if True:
    V = ['a']
try:
    import ray
except ImportError:
    ray = None
del W
def MODEL_VERSION():
    return 1
class K: pass
U = [b'a', B, ...]
