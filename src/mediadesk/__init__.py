"""mediadesk: the open workbench of media coordinators."""

__version__ = "0.1.0"
