"""The email channel: mailboxes, raw mail stored first, parsing, threading, filters, outbound replies."""
