"""Competency profiles: what the evidence stream says about a person and a cohort.

The modules here are pure (standard library only, no Flask, no database) so they are tested fast:

- ``scoring``: evidence records → a level and a confidence per indicator and per first-level group,
  the trend per month, strengths and weakest indicators, and cohort distributions.
- ``recommend``: weakest indicators + a catalogue of courses, quizzes and drills → what to do next.
- ``xapi``: xAPI 1.0.3 statements built from results, and a validator for the spec's requirements.
- ``charts``: SVG radar chart and sparklines, and the heatmap colour scale.
"""
