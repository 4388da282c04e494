// main.swift: the `draw` executable; every command lives in DRAWCLI.
import DRAWCLI

BLASCorePolicy.reexecWithBestCore()
DrawCommand.runMain()
