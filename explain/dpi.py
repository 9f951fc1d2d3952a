"""The resolution of PNG pictures: a module of its own, so that --dpi loads no Graphviz.

A PNG's time goes on its pixels. At Graphviz's own 96 pixels per inch a case's reasoning took
ten times as long as its SVG; at 72, one pixel a point, 11-point labels are 11 pixels high,
plain to read on a screen, in half the pixels. --dpi asks for more, for print.
"""

PNG_DPI = 72
# A timeline is a small picture, quick to draw at Graphviz's own resolution; its footnote's
# 8 points want it.
TIMELINE_DPI = 96
# The resolutions --dpi takes: below, labels cannot be read; above, a picture of the whole
# tree would take minutes and gigabytes.
MIN_DPI = 30
MAX_DPI = 600
