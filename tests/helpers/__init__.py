"""What the test modules share: balita run in-process or as a process, the test databases, the
corpora, outside programs, and the servers and newsrooms several modules build. Fixtures live in
tests/conftest.py; a test module imports from here, never from another test module."""
