"""The newsletter: mailing lists and their subscribers (double opt-in), the digest of what was
published, and the send run that mails it once to each subscriber through any SMTP server."""
