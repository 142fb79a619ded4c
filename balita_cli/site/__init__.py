"""The static site: ``build_site`` turns published articles into HTML pages, feeds and sitemaps."""
