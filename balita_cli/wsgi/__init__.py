"""Small web endpoints a newsroom runs beside its static site."""
