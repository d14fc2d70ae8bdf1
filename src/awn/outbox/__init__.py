"""The outbox (DESIGN.md §3): side effects that leave the process, written in the transaction of the change.

Use `awn.outbox.services.enqueue(kind=..., payload=..., key=...)` inside the transaction that causes the
delivery, and register a sender for the kind in your AppConfig.ready() with `awn.outbox.registry.register`.
"""
