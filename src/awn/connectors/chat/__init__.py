"""The chat channel: a widget on any website, chats that are tickets (docs/chat.md)."""
