"""Writes for the tailoring cycle, one module per part of it (the only write path)."""
