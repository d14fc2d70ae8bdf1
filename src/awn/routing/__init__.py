"""Routing: availability, capacity, skills, languages; per-team assignment and queue strategies; tiers."""
