"""The page's words in Chinese (the default) and English: one table, so that the two never drift apart."""

from __future__ import annotations

LANGUAGES = ("zh", "en")

TEXT: dict[str, dict[str, str]] = {
    "title": {"zh": "青岛新型城镇化模拟: 政策情景", "en": "Qingdao urbanization simulator: what-if"},
    "switch": {"zh": "English", "en": "中文"},
    "intro": {"zh": "选择政策措施 (强度、起止日期、区市), 设置重复次数和规模, 然后运行。"
                    "结果与基准情景 (2020年政策延续) 比较。",
              "en": "Choose levers (intensity, start and end, districts), replications and scale, then run. "
                    "Compare the result with the baseline (the policies of 2020 carry on)."},
    "levers": {"zh": "政策措施", "en": "Levers"},
    "use": {"zh": "采用", "en": "use"},
    "intensity": {"zh": "强度 (0-1)", "en": "intensity (0-1)"},
    "start": {"zh": "开始日期", "en": "start"},
    "end": {"zh": "结束日期 (可空)", "en": "end (may be empty)"},
    "districts": {"zh": "区市", "en": "districts"},
    "run_size": {"zh": "运行规模", "en": "Size of the run"},
    "replications": {"zh": "重复次数", "en": "replications"},
    "scale": {"zh": "每个代理人代表的居民数", "en": "residents per agent"},
    "run": {"zh": "运行", "en": "Run"},
    "running": {"zh": "正在模拟…", "en": "Simulating…"},
    "elapsed": {"zh": "已用时间", "en": "elapsed"},
    "seconds": {"zh": "秒", "en": "s"},
    "failed": {"zh": "运行失败", "en": "The run failed"},
    "bad_input": {"zh": "输入有误", "en": "Bad input"},
    "scorecard": {"zh": "规划目标记分卡", "en": "Scorecard of the plan's targets"},
    "target": {"zh": "目标", "en": "target"},
    "year": {"zh": "年份", "en": "year"},
    "goal": {"zh": "目标值", "en": "goal"},
    "mean": {"zh": "均值", "en": "mean"},
    "band": {"zh": "5%-95%", "en": "5-95%"},
    "status": {"zh": "判断", "en": "status"},
    "basis": {"zh": "依据", "en": "basis"},
    "compare": {"zh": "与基准情景比较", "en": "Compare with the baseline"},
    "report": {"zh": "完整报告 (HTML)", "en": "Full report (HTML)"},
    "excel": {"zh": "Excel 表格", "en": "Excel workbook"},
    "scenario_file": {"zh": "情景文件 (YAML)", "en": "Scenario file (YAML)"},
    "new": {"zh": "新的情景", "en": "New what-if"},
    "earlier": {"zh": "以前的运行", "en": "Earlier runs"},
    "none_yet": {"zh": "还没有", "en": "none yet"},
    "folder": {"zh": "结果文件夹", "en": "results folder"},
    "not_found": {"zh": "找不到", "en": "Not found"},
    "fan": {"zh": "城镇化率", "en": "Urbanization rates"},
    "map": {"zh": "区市地图", "en": "District map"},
    "cli": {"zh": "命令行等价", "en": "The same from the command line"},
}


def words(lang: str) -> dict[str, str]:
    """Every word of the page in ``lang`` (Chinese for anything else)."""
    lang = lang if lang in LANGUAGES else "zh"
    return {key: by_lang[lang] for key, by_lang in TEXT.items()}
