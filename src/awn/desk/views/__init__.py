"""The agent desk: one module per screen; each view parses input, calls one service and renders."""
