"""Parallax."""
