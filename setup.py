"""What pyproject.toml cannot say: the packages are every one found under askme/, plus the
top-level models/ folder built into the wheel as the data package askme.models, where
askme.paths finds the shipped models with importlib.resources."""

from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["askme", "askme.*"]), "askme.models"],
      package_dir={"askme.models": "models"})
