"""Reports: metric facts recorded per ticket when events happen, and the aggregates read from them."""
