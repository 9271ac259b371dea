"""Delivery exports from ad platforms, read into one normalized Polars table (no Django).

``inspect.inspect`` says what a file is; ``detect.detect`` picks the reader; each platform module
(``google_ads``, ``amazon_ads``, ``generic``) registers a reader with ``detect.register``.
"""
