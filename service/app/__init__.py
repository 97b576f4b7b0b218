"""The GitHub App: webhook service, job queue, worker and publisher.

Importing this package is cheap; the web stack, the queue and the database are imported only by the
modules that need them, so `slopguard scan` never loads them.
"""
