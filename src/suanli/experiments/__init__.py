"""Experiments that check claims of the compute race with runnable code (quantum error correction, ...)."""
