"""The export benchmark's data generator: a line-for-line mirror of `row()` in
crates/zongwu-core/examples/export_bench.rs, so every contender writes the same cells in the same
order (the header, then officers unit by unit and by staff number, as the roster export does)."""

import datetime
import json
import os
import resource
import sys

HEADERS = ["单位", "工号", "姓名", "性别", "职务", "电话", "邮箱", "任期开始", "任期结束", "状态", "培训次数", "职责", "备注"]
UNITS = [
    "后勤保障处", "资产管理处", "基建处", "保卫处", "信息化办公室", "图书馆", "校医院", "饮食服务中心", "物业管理中心",
    "能源管理中心", "计算机学院", "机械工程学院", "经济管理学院", "外国语学院", "文学院", "理学院", "教务处", "人事处",
]
SURNAMES = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗"]
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英"]
TITLES = ["科长", "副科长", "科员", "主任", "副主任", "工程师"]
DUTIES = [
    "负责本单位信息化需求的收集、整理与上报，协调应用场景落地",
    "联络信息化办公室，组织本单位人员参加系统培训",
    "维护本单位基础数据，跟踪需求评审与开发进度",
    "推广智慧总务应用，收集使用反馈并提出改进建议",
]
DATE_FORMAT = "yyyy-mm-dd"
# The meeting edition's columns (RosterColumn::MEETING): no 性别, 职责, 备注.
MEETING = [0, 1, 2, 4, 5, 6, 7, 8, 9, 10]
DATE_COLUMNS = (7, 8)
NUMBER_COLUMNS = (10,)


def row(i, rows):
    """Officer i of rows, as the 13 cell values the roster export writes (培训次数 is 0)."""
    unit = i * len(UNITS) // max(rows, 1)
    year = 2016 + i % 8
    month = 1 + i // 8 % 12
    day = 1 + i // 96 % 28
    staff_no = f"ZW{i:07d}"
    return [
        UNITS[unit],
        staff_no,
        SURNAMES[i % len(SURNAMES)] + GIVEN[i // len(SURNAMES) % len(GIVEN)],
        "女" if i % 3 == 0 else "男",
        TITLES[i % len(TITLES)],
        f"13{i % 10}{(i * 7919) % 100_000_000:08d}",
        f"officer{i}@univ.edu.cn",
        datetime.date(year, month, day),
        datetime.date(year + 3, month, day),
        "已卸任" if i % 10 == 9 else "在任",
        0,
        DUTIES[i % len(DUTIES)],
        f"第{1 + i % 12}批信息专员，工号 {staff_no}",
    ]


def args():
    """ROWS OUT [meeting] → (rows, out, the indexes into row() of the columns to write)."""
    if len(sys.argv) not in (3, 4) or (len(sys.argv) == 4 and sys.argv[3] != "meeting"):
        sys.exit(f"usage: {os.path.basename(sys.argv[0])} ROWS OUT [meeting]")
    columns = MEETING if len(sys.argv) == 4 else list(range(len(HEADERS)))
    return int(sys.argv[1]), sys.argv[2], columns


def report(mode, rows, cols, seconds):
    """The same JSON line as export_bench: peak RSS from ru_maxrss (KiB on Linux) in MB of 10^6
    bytes, and the process's user + system CPU time."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak = usage.ru_maxrss * 1024 / 1e6 if sys.platform.startswith("linux") else None
    line = {
        "mode": mode,
        "rows": rows,
        "cols": cols,
        "seconds": seconds,
        "peak_rss_mb": peak,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
    }
    print(json.dumps(line))
