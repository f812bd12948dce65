"""Tests of the pure culture knowledge layer (cultures/)."""
