import sys

from nnplay.cli import main

sys.exit(main())
