"""A bare Django project: one function view rendering one template, no database, no apps.

bench/serve.py serves it beside Quire as the baseline: the same page, without Quire's work.
"""
