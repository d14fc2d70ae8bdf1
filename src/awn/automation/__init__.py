"""Automation: rules as data (conditions.py, actions/, engine.py), time-based sweeps, saved replies."""
