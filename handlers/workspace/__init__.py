"""The workspace itself: install lifecycle events, App Home, and polite answers to anything unknown."""
