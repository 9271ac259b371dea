"""The pure core of mediadesk: plain Python over dataclasses and Decimal. Never imports Django."""
