"""Append-only audit of every read and change of children's data."""
