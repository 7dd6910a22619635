"""Print the pinned dependencies in ./pyproject.toml, one per line, for `pip install -r`.

The project is not a package: it runs from its folder, and only its dependencies are installed.
`--no-dev` leaves out the test and lint tools (the production image).
"""

import sys
import tomllib
from pathlib import Path

project = tomllib.loads(Path("pyproject.toml").read_text())["project"]
requirements = list(project["dependencies"])
if "--no-dev" not in sys.argv:
    requirements += project["optional-dependencies"]["dev"]
print("\n".join(requirements))
