"""The city directory: organisations, their units on the twin with hours that are right,
the e-services catalogue and the partners ecosystem (docs/directory.md)."""
