"""The UI's fixed words in English and Chinese, chosen per user by the browser's language or for everyone by the
workspace (``server.ui_language``: ``auto``, ``en`` or ``zh``).

Tabs write ``t("Send")``; a string with a translation becomes a Gradio I18n key, one without stays as written.
Passages, answers and data are shown as the plant wrote them; an answer's own words follow the question's
language (``pipeline/words.py``).
"""

from __future__ import annotations

import hashlib
from typing import Any

ZH = {
    "## shopfloor — offline quality assistant\nEvery answer shows where it came from. Nothing leaves this machine.":
        "## shopfloor — 离线质量助手\n每个回答都注明出处。数据不离开本机。",
    "Chat": "问答", "Diagnose": "诊断", "Batch": "批量分类", "Inspect": "外观检测", "Machines": "设备",
    "Trends": "趋势", "Knowledge": "知识库", "Admin": "管理", "Account": "账户",
    "Ask about your machines and manuals": "询问设备和手册",
    "e.g. What causes cavitation on P-101?  ·  paste a log  ·  how is HP-601?":
        "例如：P-101 为什么会气蚀？ · 粘贴维修记录 · HP-601 状态如何？",
    "Send": "发送", "Comment on the last answer (optional)": "对上一个回答的意见（可选）", "Helpful": "有帮助",
    "Not helpful": "没有帮助",
    "Maintenance log": "维修记录", "Machine": "设备", "Add a language-model summary (slower)": "加上语言模型摘要（较慢）",
    "Photo of the part (optional)": "零件照片（可选）", "Inspection heatmap": "检测热力图",
    "Raise a work order from this log": "根据此记录创建工单",
    "Add documents (Markdown, text, HTML, PDF incl. scans, photos of pages and charts, CSV/XLSX tables)":
        "添加文档（Markdown、文本、HTML、PDF 含扫描件、页面和图表照片、CSV/XLSX 表格）",
    "Add to the index": "加入知识库", "Source": "文档", "Approve (I have read it)": "批准（我已阅读）",
    "Remove": "删除", "Who may read it (the source above, or a folder: 'contracts/')":
        "谁可以阅读（上面的文档，或文件夹：'contracts/'）",
    "Limit to this role and above": "仅限此角色及以上",
    "Classified rows of task": "任务的已分类记录", "Period": "周期", "Chart": "控制图", "Show trends": "显示趋势",
    "Or from a file (complaints, work orders: a date and a label column)": "或来自文件（投诉、工单：日期列和标签列）",
    "CSV or XLSX": "CSV 或 XLSX", "Date column": "日期列", "Label column": "标签列",
    "Show trends of the file": "显示文件的趋势",
    "8D report draft for a label (cited; edit before sending)": "某标签的 8D 报告草稿（有出处；发送前请编辑）",
    "Label": "标签", "Text column (file)": "文本列（文件）", "Draft from the task's rows": "根据任务记录起草",
    "Draft from the file": "根据文件起草", "Draft (Markdown, editable)": "草稿（Markdown，可编辑）",
    "Export DOCX": "导出 DOCX", "Export PDF": "导出 PDF", "Report file": "报告文件",
    "Acknowledge": "确认", "Add user": "添加用户", "Change password": "修改密码", "Check columns": "检查列",
    "Classify": "分类", "Import": "导入", "Next ▶": "下一页 ▶", "◀ Previous": "◀ 上一页", "Refresh fleet": "刷新设备列表",
    "Refresh": "刷新", "Retrain with reviewed labels": "用已审核标签重新训练",
    "Revoke tokens and sessions": "撤销令牌和会话",
    "Save label": "保存标签", "Set password": "设置密码", "Set role": "设置角色", "Show status": "显示状态",
    "Current password": "当前密码", "Fleet": "设备列表", "Heatmaps": "热力图", "Labelled file": "已标注文件",
    "Name": "用户名", "New password": "新密码", "Note (what was done or decided)": "备注（做了什么或决定了什么）",
    "Open alarm": "未处理报警", "Pareto": "帕累托图", "Password (8+ characters)": "密码（至少 8 个字符）",
    "Photo id": "照片编号", "Photo": "照片", "Photos or a .zip": "照片或 .zip", "Preview": "预览",
    "Results (CSV)": "结果（CSV）", "Right class": "正确类别", "Right label": "正确标签", "Role": "角色", "Row id": "行号",
    "Sheet (XLSX)": "工作表（XLSX）", "Task": "任务", "Text column": "文本列",
    "e.g. the rising label above": "例如上面上升的标签",
    "New label (a class the task does not have yet)": "新标签（任务中还没有的类别）",
}


def _key(text: str) -> str:
    return "sf" + hashlib.sha1(text.encode()).hexdigest()[:10]


def translations(language: str = "auto") -> Any:
    """The gr.I18n of the UI: per browser language (``auto``), or one language for everyone (``en``, ``zh``)."""
    import gradio as gr

    en = {_key(k): k for k in ZH}
    zh = {_key(k): v for k, v in ZH.items()}
    if language == "zh":
        return gr.I18n(en=zh, zh=zh)
    if language == "en":
        return gr.I18n(en=en, zh=en)
    return gr.I18n(en=en, zh=zh)


def t(text: str) -> Any:
    """``text`` as the UI shows it: a translation key when the table has it, else the text itself."""
    if text not in ZH:
        return text
    import gradio as gr

    return gr.I18n()(_key(text))
