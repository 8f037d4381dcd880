from __future__ import annotations

from shopfloor.assistant.ui import views


def test_pareto_sorted_with_cumulative_line():
    fig = views.pareto_figure({"a": 2, "b": 10, "c": 5})
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["b", "c", "a"]
    assert list(fig.axes[1].lines[0].get_ydata())[-1] == 100.0


def test_user_of_and_tables(writable_assistant):
    from shopfloor.assistant import auth
    from shopfloor.assistant.policy import LOCAL_USER, Role, User

    a = writable_assistant
    assert views.user_of(a, None, login_required=False) == LOCAL_USER  # no login: localhost only
    assert views.user_of(a, None, login_required=True) is None  # login on: no name, nobody
    with a.ws.connect() as conn:
        auth.add_user(conn, "eng", "engineer-pw", "engineer")
    assert views.user_of(a, "eng", login_required=True) == User("eng", Role.engineer)
    assert views.user_of(a, "ghost", login_required=True) is None  # removed since login: no rights at all
    assert {r[0] for r in views.model_versions(a)} == {"failure_mode", "component", "complaint_category"}
    assert len(views.sources_table(a, views.BUILD_USER)) == 7


def test_build_ui_has_every_tab(assistant):
    from shopfloor.assistant.ui import build_ui
    from shopfloor.assistant.ui.i18n import translations

    demo = build_ui(assistant)
    shown = translations("auto").translations_dict  # a tab's label is a translation key
    tabs = [b.label for b in demo.blocks.values() if type(b).__name__ == "Tab"]
    assert {shown["en"][t.key] for t in tabs} == {"Chat", "Diagnose", "Batch", "Inspect", "Machines", "Trends",
                                                   "Knowledge", "Admin", "Account"}
    assert {shown["zh"][t.key] for t in tabs} == {"问答", "诊断", "批量分类", "外观检测", "设备", "趋势", "知识库",
                                                   "管理", "账户"}


def test_text_column_defaults_to_the_longest_free_text():
    import pandas as pd

    df = pd.DataFrame({"id": ["1", "2", "3"], "date": ["2024-01-02", "2024-01-03", ""],
                       "Complaint Details": ["the tailgate latch fails to close in cold weather", "", "lid dented"],
                       "status": ["open", "closed", "open"]})
    assert views.text_column(df) == "Complaint Details"
    assert views.text_column(pd.DataFrame({"n": ["12", "14"], "text": ["a", "b"], "x": ["ab", "cd"]})) == "text"


def test_chat_answer_links_its_markers_to_sources_listed_under_it():
    from shopfloor.assistant.pipeline.events import Answer, Citation
    from shopfloor.assistant.ui.tabs.chat import answer_only, with_sources

    done = Answer(answer="Clean the strainer [1]; see also [2] and [9].", citations=[
        Citation(n=1, citation="P-101.md > Troubleshooting", text="Flow low <b>x</b>"),
        Citation(n=2, citation="P-101.md > Codes", text="E-14", safety="SAFETY WARNING: lock-out skipped")])
    shown = with_sources(done, 4)
    assert shown.startswith("Clean the strainer [[1]](#src-4-1); see also [[2]](#src-4-2) and [9].")  # no source 9
    assert '<p id="src-4-1"><b>[1] P-101.md &gt; Troubleshooting</b><br>Flow low &lt;b&gt;x&lt;/b&gt;</p>' in shown
    assert "<summary>Sources (2)</summary>" in shown and "SAFETY WARNING" in shown
    assert answer_only(shown) == done.answer
    assert with_sources(Answer(answer="No passage answers this."), 2) == "No passage answers this."


def test_trends_summary_says_first_what_is_rising():
    from shopfloor.assistant.ui.tabs.trends import summary
    from shopfloor.sensors.trends import Rising, TrendReport

    rep = TrendReport(period="month", chart="laney", periods=["2024-01", "2024-02", "2024-03"], baseline_periods=3,
                      rising=[Rising(label="seal leak", since="2024-02", ratio=2.5, rate=0.25, center=0.1, count=30)])
    head, rows = summary(rep)
    assert head.startswith("**1 label(s) rising in 2024-03**")
    assert rows == [["seal leak", 30, "25.0%", "10.0%", "2.5", "2024-02"]]
    calm = TrendReport(period="week", chart="p", periods=["2024-W01", "2024-W02", "2024-W03"], baseline_periods=3)
    assert summary(calm)[0].startswith("**Nothing rising in 2024-W03**")


def test_retrain_summary_says_when_nothing_is_measured_and_compares_with_the_most_common_label():
    from shopfloor.assistant.pipeline.results import RetrainReport
    from shopfloor.assistant.ui.tabs.admin import retrain_summary

    cold = retrain_summary(RetrainReport(task="failure_mode", reviewed_rows=20, reviews_needed=59,
                                         labels_without_examples=["Plugged / choked"]))
    assert cold.startswith("Retrained **failure_mode** with 20 reviewed rows (plus 1 taxonomy description as training "
                           "rows). **Every row still goes to review**")
    assert "about 59 more reviewed rows" in cold and "No reviewed row yet for Plugged / choked: kept" in cold
    weak = retrain_summary(RetrainReport(task="t", reviewed_rows=200, calib_accuracy=0.5, n_calib=30,
                                         calib_majority_accuracy=0.6))
    assert "Held-out accuracy 50% on 30 rows, always the most common label 60%" in weak and "**Warning:**" in weak
    good = retrain_summary(RetrainReport(task="t", reviewed_rows=200, calib_accuracy=0.8, n_calib=30,
                                         calib_majority_accuracy=0.6))
    assert "Warning" not in good and "No reviewed row" not in good
