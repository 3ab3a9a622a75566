"""Compression of a real transformer (MiniLM) with TT/MPO and low-rank layers."""
