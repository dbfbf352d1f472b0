"""The key to a drawing's node styles: a small table in the graph's own label, below the graph.

The legend is not a set of nodes (nodes would take part in the layout, sit on the graph's
ranks and widen it): it is the root graph's label, an HTML-like table of one swatch per style
drawn, each swatch styled as the nodes it names and holding a word or two. Graphviz places a
graph label outside the drawing, here below it at the left, so it adds a little height and no
width, as long as it is no wider than the graph. So it is stacked along the direction the graph
already grows: one swatch per row for a top-to-bottom graph (no wider than one node), one row of
swatches for a left-to-right one (no taller than a node, no wider than a few).

The label's attributes are written after every cluster, so no cluster inherits them.

>>> from autograd.viz.legend import legend
>>> lines = legend({"op", "param"}, backward=False, rankdir="TB")
>>> lines[0], lines[1]
('\\tlabelloc=b\\n', '\\tlabeljust=l\\n')
>>> "requires<BR/>grad" in lines[2] and "</TR><TR>" in lines[2]  # one swatch per row
True
"""
from __future__ import annotations

from .labels import html

# style kind -> (fill, border, Graphviz table-cell style or ""); the node styles of dot.STYLE, as a table can draw them
SWATCH = {
    "param": ("#CDE7FB", "#3B82C4", ""),
    "input": ("#FFFFFF", "#9E9E9E", "dashed"),
    "op": ("#F2F2F2", "#9E9E9E", "rounded"),
    "output": ("#CDEFD0", "#2E7D32", ""),
    "module": ("#E9DFF5", "#6A4FB3", ""),
    "cut": ("#FFF8E1", "#B08900", ""),
}
# what each style means, as short as it can be said (the node's own label says the rest), in lines of at most
# nine characters: a swatch is then no wider than the narrowest node of its kind (a leaf that requires grad
# shows its shape and dtype, a backward function is titled ``MulBackward``), so a column of them, below the
# graph, adds no width to it
TEXT = {
    False: {"param": ("requires", "grad"), "input": ("input,", "constant"), "op": ("op",), "output": ("output",),
            "module": ("module",), "cut": ("not drawn",)},
    True: {"output": ("gradient", "fed in"), "op": ("backward", "function"), "param": ("into", ".grad"),
           "module": ("module",), "cut": ("not drawn",)},
}
FONT_SIZE = 8


def _cell(kind: str, lines) -> str:
    fill, border, style = SWATCH[kind]
    extra = f' STYLE="{style}"' if style else ""
    text = "<BR/>".join(html(s) for s in lines)
    return (f'<TD BGCOLOR="{fill}" COLOR="{border}" BORDER="1"{extra} CELLPADDING="2">'
            f'<FONT POINT-SIZE="{FONT_SIZE}">{text}</FONT></TD>')



def legend(used, backward: bool, rankdir: str) -> list:
    """DOT body lines for the legend of the styles in ``used`` (nothing when no style was drawn)."""
    texts = TEXT[bool(backward)]
    cells = [_cell(k, texts[k]) for k in texts if k in used]
    if not cells:
        return []
    if rankdir in ("TB", "BT"):
        rows = "".join(f"<TR>{c}</TR>" for c in cells)
    else:
        rows = "<TR>" + "".join(cells) + "</TR>"
    table = f'<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="1" CELLPADDING="0">{rows}</TABLE>'
    return ["\tlabelloc=b\n", "\tlabeljust=l\n", f"\tlabel=<{table}>\n"]
