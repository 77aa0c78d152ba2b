"""`python -m artdemo`: see artdemo.cli."""

import sys

from artdemo.cli import main

sys.exit(main())
