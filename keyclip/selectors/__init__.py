"""Selectors: clip relevance, key clips (F2C), the visual-token budget planner, zoom-in."""
