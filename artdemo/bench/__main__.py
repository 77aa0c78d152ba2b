"""`python -m artdemo.bench [--only NAME,...] [--long]`: see artdemo.bench.core."""

import sys

from artdemo.bench.core import main

sys.exit(main())
