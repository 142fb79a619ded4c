"""Sending the outbox's events out: to webhooks (signed JSON, Standard Webhooks) and to partners
(the story in their format, to a folder or a URL), each delivery tried until it is delivered or
dead. ``destinations`` are where events go, ``queue`` what is due and what a try did, ``run`` a
delivery run, ``documents`` what goes out, ``signatures`` how it is signed."""
