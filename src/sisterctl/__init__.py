"""sisterctl: a command-line registry of sister-city ties."""

__version__ = "0.1.0"
