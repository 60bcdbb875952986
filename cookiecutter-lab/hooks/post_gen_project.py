"""Finish the new lab (labkit.lab_setup.finish): texts in its language, a secret key in .env, a
migrated database and the first administrator, so that `labkit serve` works at once.

`labkit new` does this in its own process and skips this file; it is here for a trainer who runs
`cookiecutter` on the template directly. It runs inside the new lab folder; a failure exits
non-zero, and cookiecutter removes the folder.
"""

import asyncio
import json
import os
import sys
from pathlib import Path

from labkit.lab_setup import Refused, finish

ANSWERS = json.loads(r'''{{ cookiecutter | jsonify }}''')

try:
    result = asyncio.run(finish(Path.cwd(), ANSWERS, dict(os.environ)))
except Refused as error:
    sys.exit(f"error: {error}")
for note in result["notes"]:
    print(note)
if "admin_password" in result:
    print(f"sign in as {result['admin_email']} with password {result['admin_password']} "
          "and change it on your account page")
