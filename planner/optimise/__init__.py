"""Optimisers: they take a problem in an interchange format and return a result model.

They know nothing of products or plugins.
"""
