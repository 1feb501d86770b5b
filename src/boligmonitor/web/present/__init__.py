"""What pages and fact sheets share: cards, key facts, shown values, formatting, navigation and display rules.

Never imports ``web.views`` or ``web.api`` (import-linter contract)."""
