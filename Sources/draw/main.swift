// main.swift: the `draw` executable; all commands live in DRAWCLI.
import DRAWCLI
print("draw")
