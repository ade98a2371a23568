"""Scheduler heartbeat (stub, to be written)."""
