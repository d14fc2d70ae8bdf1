import sys

from awn.bench.commands import main

sys.exit(main())
