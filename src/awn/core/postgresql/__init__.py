"""Django's PostgreSQL backend, with the limit on bound values that server-side binding brings (the ENGINE
`awn.core.postgresql`): see base.py."""
