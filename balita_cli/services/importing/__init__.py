"""Imports: records read from an archive or a feed, written to the database a batch at a time."""
