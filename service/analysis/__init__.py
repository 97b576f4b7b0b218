"""Language-neutral analyses shared by detectors: assertions, clones, commented-out code, a pull
request's stated intent, credentials and unreachable code. Each language feeds them its own
nodes or lines; nothing here imports a language layer or a detector."""
