"""sprinttui: keyboard-driven sprint and issue tracking in the terminal."""

__version__ = "0.1.0"
