"""Text policies shared by the desk: what counts as the same story, and how much of a story we keep.

``similarity`` finds other outlets' versions of a story (related coverage); ``excerpt`` cuts an
outlet's text to the excerpt the desk may store. Both import only the standard library at module
level, so importing them costs nothing for ``balita --help``; the MinHash library loads when an
index or a signature is first made.
"""
