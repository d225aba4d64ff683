"""Skill competitions (技能比武): rounds of knowledge quiz, scenario drill and judged practical.

The seed's city holds a competition twice a year (情景模拟, 知识竞赛, 实操考核) and names single
awards (政策通, 调解能手, 服务之星). The rules live in a pure core, ``app.compete.rules`` (standard
library only, no Flask, no database; data in, data out):

- round windows on the server clock (open is ``[opens_at, closes_at)``), who may start a round
  (enrolled, inside the window, one attempt per round) and the answering deadline;
- judging a practical round by a rubric: score validation, the judges' mean (trimmed when 5 or
  more judges score), disagreements flagged to the organizer;
- ranking (weighted total, stated tie-break, competition ranking "1, 2, 2, 4"), per bracket;
- the leaderboard freeze (the public board shows only results recorded before the freeze);
- single awards computed from competency indicator groups.

Views, forms and models for competitions build on that core and live beside it.
"""
