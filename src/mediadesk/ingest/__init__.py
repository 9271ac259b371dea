"""Reading the outside world's files into typed, normalized tables. Never imports Django."""
