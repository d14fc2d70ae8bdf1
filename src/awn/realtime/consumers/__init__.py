"""Websocket consumers: the chat widget's (visitor) and the desk's (staff)."""
