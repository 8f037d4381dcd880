"""One module per tab; each has ``build(gr, ctx)`` that lays out the tab and wires its callbacks."""
