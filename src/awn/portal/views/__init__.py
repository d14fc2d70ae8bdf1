"""The customer portal's pages: one module per area, each view parses, calls one service, redirects."""
