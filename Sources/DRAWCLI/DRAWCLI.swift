// DRAWCLI: the `draw` command tree.
import ArgumentParser
