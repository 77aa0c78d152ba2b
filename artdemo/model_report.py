"""`python -m artdemo.model_report`: the model table from the cards (same as `python -m artdemo report`).

Kept as a module of its own because the README, the cards and earlier notes print
their figures with this command; the table itself lives in artdemo.training.report.
"""

import sys

from artdemo.training.report import main

sys.exit(main())
