"""Types shared by every layer: status symbols, flags, observations, input errors, region codes.

This package imports nothing else from boligmonitor, so every layer may depend on it.
"""
