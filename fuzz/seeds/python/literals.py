FEATURES = [
  'a',  # first
  "b\tc",
  'd' 'e',
  r'\x',
  '\x41\u00e9\N{BULLET}',
]
T = ('p', 'q',)
MODEL_VERSION = "2026.02.1"
