"""``python -m controller``: the same as the ``ecs-oauth`` command."""

import sys

from controller.cli import main

sys.exit(main())
