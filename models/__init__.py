"""The shipped models, one folder each (README.md lists them).

This folder is built into the wheel as the data package ``askme.models``, so that
``askme.paths`` finds the models with importlib.resources wherever askme is installed.
"""
