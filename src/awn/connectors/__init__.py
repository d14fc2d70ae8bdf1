"""Channel adapters: each subpackage turns one transport's input into an InboundMessage (STYLE.md §7)."""
