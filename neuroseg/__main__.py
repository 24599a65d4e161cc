import sys

from neuroseg.cli import main

sys.exit(main())
