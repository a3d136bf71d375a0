"""Tests of the plugins layer."""
