"""The static site: ``builder.SiteBuilder`` turns published articles into HTML pages, feeds and sitemaps."""
