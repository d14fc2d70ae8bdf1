"""Desk screens of automation: rules and rule sets, the dry run, saved replies, notifications, webhooks."""
