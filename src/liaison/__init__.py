"""Liaison: the secretariat of an international federation, in software."""
