"""The resolution of PNG pictures: a module of its own, so that --dpi loads no Graphviz.

Graphviz's own 96 pixels per inch takes ten times as long as SVG for a case's reasoning (the
time goes on pixels: drawing and compressing them); at 60, 11-point labels are 9 pixels high,
still plain to read on a screen. --dpi asks for more, for print.
"""

PNG_DPI = 60
# A timeline is a small picture, quick to draw at Graphviz's own resolution; its footnote's
# 8 points want it.
TIMELINE_DPI = 96
# The resolutions --dpi takes: below, labels cannot be read; above, a picture of the whole
# tree would take minutes and gigabytes.
MIN_DPI = 30
MAX_DPI = 600
