"""Qingdao new-urbanization simulator: residents as agents, SimPy as the calendar."""

__version__ = "0.1.0"
