"""Followup explainer: reasoning graphs and renderers, built from the engine\x27s trace."""
