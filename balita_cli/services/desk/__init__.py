"""The aggregator's desk: the outlets followed, their feeds fetched, what came in filed and reviewed."""
