"""Ship the cookiecutter templates kept at the top of the repository inside the ``labkit`` package.

``cookiecutter-lab/`` (the lab template a trainer exports and edits) and ``cookiecutter-plugin/``
(the plugin project template) stay where people find them in a checkout; building a wheel copies
them to ``labkit/_templates/lab`` and ``labkit/_templates/plugin``, where ``labkit new`` and
``labkit plugin new`` look first. An editable install finds them at the top of the checkout.
Everything else is declared in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

TEMPLATES = {"lab": "cookiecutter-lab", "plugin": "cookiecutter-plugin"}


class BuildWithTemplates(build_py):
    """``build_py`` that also copies the templates into the built ``labkit`` package."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        for name, folder in TEMPLATES.items():
            target = Path(self.build_lib) / "labkit" / "_templates" / name
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(folder, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache"))


setup(cmdclass={"build_py": BuildWithTemplates})
