"""Red lines, required steps and reading time: the checker proves a drill cannot teach the wrong move."""
from app.drill import checker, engine

IDS = {"comm.residents", "handling.emergency"}


def drill(a_choices, b_choices=None, *, a_extra=None):
    nodes = {
        "a": {"text": "楼道里燃气味很浓。", "choices": a_choices, **(a_extra or {})},
        "b": {"text": "你在楼外。", "choices": b_choices or [
            {"id": "late", "text": "报警", "to": "win", "score": {"handling.emergency": 4}, "feedback": "好"},
            {"id": "leave", "text": "离开", "to": "lose", "score": {"handling.emergency": -9}, "feedback": "不好"}]},
        "win": {"ending": "success", "text": "处置得当。", "debrief": "点评"},
        "lose": {"ending": "failure", "text": "出事了。", "debrief": "点评"},
    }
    return {"id": "t", "title": "t", "summary": "s", "difficulty": 1, "indicators": ["handling.emergency"], "version": 1,
            "start": "a", "nodes": nodes}


def choice(cid, to, points=0, **extra):
    return {"id": cid, "text": cid, "to": to, "score": {"handling.emergency": points}, "feedback": "反馈", **extra}


def problems(data):
    return checker.check_drill(data, IDS)


def test_a_red_line_that_still_reaches_success_is_refused():
    found = problems(drill([choice("call", "win", 5, required_step="报警"),
                            choice("enter", "b", 0, red_line="独自进入危险现场")]))
    assert any("choices[1]: crosses the red line '独自进入危险现场' yet a success ending can still be reached" in p
               and "a:enter → b:late" in p for p in found), found


def test_a_red_line_that_ties_the_safe_play_is_refused():
    found = problems(drill([choice("call", "win", 5), choice("shout", "lose", 5, red_line="威胁居民"),
                            choice("look", "b", 0)]))
    assert any("totals 5, not less than the best safe play (5)" in p for p in found), found
    assert not problems(drill([choice("call", "win", 5), choice("shout", "lose", 4, red_line="威胁居民"),
                               choice("look", "b", 0)]))


def test_putting_off_a_required_step_must_not_pay():
    found = problems(drill([choice("call", "win", 3, required_step="报警"), choice("look", "b", 0)]))
    assert any("putting off the required step '报警' scores 4, more than taking it now (3): a:look → b:late" in p
               for p in found), found
    assert not problems(drill([choice("call", "win", 5, required_step="报警"), choice("look", "b", 0)]))


def test_a_timeout_can_cross_a_red_line():
    data = drill([choice("call", "win", 5), choice("run", "lose", -1)], a_extra={"time_limit_s": 10, "on_timeout": "b",
                                                       "timeout_red_line": "危急时刻不作为"})
    found = problems(data)
    assert any("nodes.a.on_timeout: crosses the red line '危急时刻不作为'" in p for p in found), found


def test_a_time_limit_leaves_time_to_read():
    long_text = "楼道里燃气味很浓，" * 12  # 96 汉字 in the node alone
    data = drill([choice("call", "win", 5), choice("wait", "b", 0)],
                 a_extra={"time_limit_s": 10, "on_timeout": "b", "text": long_text})
    assert any("time_limit_s: 10 s is too short to read" in p for p in problems(data))


def test_marks_must_be_text_and_not_both():
    found = problems(drill([choice("call", "win", 5, red_line="", required_step="报警")]))
    assert any("red_line: must be non-empty text" in p for p in found)
    assert any("cannot both cross a red line and be a required step" in p for p in found)


def test_the_engine_never_reports_success_after_a_red_line():
    data = drill([choice("call", "win", 5), choice("enter", "b", 0, red_line="独自进入危险现场")])
    loaded = engine.load_drill(data)
    state = engine.choose(loaded, engine.initial_state(loaded), "enter").state
    final = engine.choose(loaded, state, "late").state
    assert final.outcome == "failure"
    assert engine.red_lines_crossed(loaded, final.path) == [(("a", "enter"), "独自进入危险现场")]


def test_shipped_drills_prove_safe():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    ids = {line.split(":", 1)[1].strip() for line in (root / "courses" / "competency-model.yaml")
           .read_text(encoding="utf-8").splitlines() if line.strip().startswith("- id:") or
           line.strip().startswith("id:")}
    problems_found = [p for p in checker.check_all(root / "scenarios", ids) if "unknown indicator" not in p]
    assert not problems_found, problems_found
