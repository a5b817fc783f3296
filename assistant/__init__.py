"""polite: find quid-pro-quo demands in outreach drafts, rewrite them, decline them."""

__version__ = "0.1.0"
