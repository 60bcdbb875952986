"""Check every answer before the lab is written (labkit.lab_setup.validate).

`labkit new` runs that check in its own process and skips this file; it is here for a trainer who
runs `cookiecutter` on the template directly. A wrong answer exits non-zero with one message, and
cookiecutter removes the folder it was about to fill.
"""

import json
import sys

ANSWERS = json.loads(r'''{{ cookiecutter | jsonify }}''')

try:
    from labkit.lab_setup import Refused, validate
except ImportError:
    sys.exit("error: labkit is not installed in this Python; `pip install labkit`, then run `labkit new`")
try:
    validate(ANSWERS)
except Refused as error:
    sys.exit(f"error: {error}")
