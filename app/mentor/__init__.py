"""Mentoring (导师制 / 青蓝工程): every new grid worker gets an experienced mentor, 1:1 or 1:2, for 3-6 months.

The domain cores here are pure Python (no Flask, no database), data in, data out:

- ``app.mentor.pairing``: the explainable suggestion score, ranked suggestions per new worker and the
  optimal whole-cohort assignment (Hungarian method over mentor slots, via SciPy).
- ``app.mentor.rules``: term length in calendar months, mentor capacity, monthly joint-visit minimum,
  what needs a mentor's attention, sign-off not before the minimum term (or an organizer's override
  with a reason), the dates visits and observations may carry, and time to independence with its
  distribution.

Views, forms and models for mentorships build on these and live beside them.
"""
