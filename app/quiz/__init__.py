"""Quizzes (测验): question types and grading, question banks, GIFT/Aiken import, random draw, item statistics.

The modules here are pure (no Flask, no database): ``questions`` (the four question types in a
registry), ``bank`` (reading and checking ``questions/*.yaml``), ``gift`` and ``aiken`` (Moodle text
formats), ``draw`` (seeded draw and shuffle for an attempt), ``tokens`` (the opaque per-attempt values
of the options a page shows) and ``stats`` (item statistics).
"""
