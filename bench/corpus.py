#!/usr/bin/env python3
"""Deterministic, seeded corpus generator for the liangbiao vs Hugo benchmark (issue #6).

    python3 bench/corpus.py --pages 10000 --seed 1 --out DIR

writes

    DIR/liangbiao/      a complete liangbiao site root: config.toml, content/ (pilots,
                        standards, services, plus the repository's regions.toml,
                        domains.toml, sources.toml and _index.md), templates/, static/
    DIR/hugo/           the same entries as a Hugo site (hugo.toml, content/, layouts/,
                        static/)
    DIR/manifest.json   what was generated and how many HTML pages liangbiao will write

The model is national-scale disclosure: county-level pilots spread over the 31
province-level regions in proportion to their number of county-level divisions. Each
pilot names standards from a fixed national catalogue (GB/T; the popular ones are shared
by many pilots), from its ministry's industry catalogue (MZ/T, WS/T, ...), from its
province's local catalogue (DBnn/T, shared within the province) and some of its own
(enterprise Q/, group T/, or titles without a code). Most pilots publish a service list
whose items link to their standards; some name demonstration sites. Bodies are about
1.5 KB of Chinese Markdown built from real public-service vocabulary.

The number of pilots is chosen so that liangbiao writes the requested number of HTML
pages; the exact expected count (computed with liangbiao's page rules, see
`liangbiao_pages`) is in the manifest.

Same arguments => byte-identical output: every random choice comes from a
`random.Random` seeded by a string, every collection is sorted or kept in generation
order, and nothing depends on time, hash seeds or the file system's listing order.
Python standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import shutil
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Bump when the output format changes in a way the file hash would not show.
FORMAT_VERSION = 1
PAGE_SIZE = 100  # liangbiao's src/render/pager.rs PAGE_SIZE
HOME_CHART_PILOTS = 20  # src/render/satisfaction.rs HOME_CHART_PILOTS
UPDATED_YEAR = 2025  # every date in the past, or liangbiao warns

# ------------------------------------------------------------------ vocabulary

# County-level divisions per province-level region (approximate, 2023), used as weights.
COUNTIES = {
    "beijing": 16, "tianjin": 16, "hebei": 167, "shanxi": 117, "neimenggu": 103,
    "liaoning": 100, "jilin": 60, "heilongjiang": 121, "shanghai": 16, "jiangsu": 95,
    "zhejiang": 90, "anhui": 104, "fujian": 84, "jiangxi": 100, "shandong": 136,
    "henan": 157, "hubei": 103, "hunan": 122, "guangdong": 122, "guangxi": 111,
    "hainan": 25, "chongqing": 38, "sichuan": 183, "guizhou": 88, "yunnan": 129,
    "xizang": 74, "shaanxi": 107, "gansu": 86, "qinghai": 44, "ningxia": 22,
    "xinjiang": 106,
}
MUNICIPALITIES = {"beijing", "tianjin", "shanghai", "chongqing"}

# Syllables for place names: (hanzi, pinyin), every pinyin once, so that a name's
# pinyin is unique whenever its hanzi are.
SYLLABLES = [
    ("安", "an"), ("平", "ping"), ("永", "yong"), ("宁", "ning"), ("东", "dong"), ("西", "xi"),
    ("南", "nan"), ("北", "bei"), ("长", "chang"), ("新", "xin"), ("青", "qing"), ("河", "he"),
    ("山", "shan"), ("阳", "yang"), ("城", "cheng"), ("丰", "feng"), ("泰", "tai"), ("华", "hua"),
    ("兴", "xing"), ("德", "de"), ("乐", "le"), ("康", "kang"), ("宝", "bao"), ("隆", "long"),
    ("富", "fu"), ("江", "jiang"), ("湖", "hu"), ("林", "lin"), ("石", "shi"), ("金", "jin"),
    ("桂", "gui"), ("云", "yun"), ("泉", "quan"), ("源", "yuan"), ("州", "zhou"), ("明", "ming"),
    ("光", "guang"), ("寿", "shou"), ("嘉", "jia"), ("祥", "xiang"), ("瑞", "rui"), ("武", "wu"),
    ("文", "wen"), ("章", "zhang"), ("通", "tong"), ("达", "da"), ("顺", "shun"), ("义", "yi"),
    ("仁", "ren"), ("礼", "li"), ("崇", "chong"), ("延", "yan"), ("定", "ding"), ("靖", "jing"),
    ("恩", "en"), ("朝", "chao"), ("沙", "sha"), ("桥", "qiao"), ("岚", "lan"), ("梅", "mei"),
    ("松", "song"), ("柏", "bai"), ("竹", "zhu"), ("春", "chun"), ("秋", "qiu"), ("海", "hai"),
    ("湾", "wan"), ("滨", "bin"), ("峡", "xia"), ("盛", "sheng"), ("固", "gu"), ("怀", "huai"),
    ("柔", "rou"), ("密", "mi"), ("昆", "kun"), ("岳", "yue"), ("衡", "heng"), ("潭", "tan"),
    ("邵", "shao"), ("郊", "jiao"), ("甸", "dian"), ("鄂", "e"), ("黔", "qian"), ("蒙", "meng"),
    ("藏", "zang"), ("汉", "han"), ("洛", "luo"), ("汾", "fen"), ("楚", "chu"), ("鲁", "lu"),
    ("徽", "hui"), ("岱", "dai"), ("蓬", "peng"), ("莱", "lai"), ("榆", "yu"), ("栖", "qi"),
    ("凌", "ling"), ("都", "du"), ("屯", "tun"),
]
assert len({p for _, p in SYLLABLES}) == len(SYLLABLES), "syllable pinyin must be unique"

# Service items per category (国家基本公共服务标准（2021年版）).
SERVICES = {
    "优孕优生服务": ["孕产妇健康服务", "新生儿疾病筛查", "免费孕前优生健康检查", "基本避孕服务"],
    "儿童健康服务": ["预防接种", "0—6岁儿童健康管理", "儿童眼保健和视力检查"],
    "儿童关爱服务": ["困境儿童保障", "农村留守儿童关爱保护", "孤儿基本生活保障"],
    "学前教育助学服务": ["学前教育幼儿资助"],
    "义务教育服务": ["义务教育免费教科书", "家庭经济困难学生生活补助", "农村义务教育学生营养改善"],
    "普通高中助学服务": ["普通高中国家助学金", "普通高中免学杂费"],
    "职业教育助学服务": ["中等职业教育国家助学金", "中等职业教育免学费"],
    "就业创业服务": ["就业信息服务", "职业介绍和职业指导", "创业开业指导", "就业援助", "职业技能培训"],
    "工伤失业保险服务": ["失业保险待遇", "工伤保险待遇"],
    "公共卫生服务": ["居民健康档案", "健康教育", "高血压患者健康管理", "2型糖尿病患者健康管理", "严重精神障碍患者健康管理", "传染病及突发公共卫生事件报告和处理"],
    "医疗保险服务": ["职工基本医疗保险", "城乡居民基本医疗保险"],
    "计划生育扶助服务": ["农村部分计划生育家庭奖励扶助", "计划生育家庭特别扶助"],
    "养老助老服务": ["老年人健康管理", "老年人福利补贴", "居家养老上门服务", "巡视探访"],
    "养老保险服务": ["城乡居民基本养老保险", "职工基本养老保险"],
    "公租房服务": ["公租房保障"],
    "住房改造服务": ["城镇老旧小区改造", "农村危房改造"],
    "社会救助服务": ["最低生活保障", "特困人员救助供养", "临时救助", "医疗救助"],
    "公共法律服务": ["法律援助", "人民调解"],
    "扶残助残服务": ["困难残疾人生活补贴和重度残疾人护理补贴", "残疾人康复服务", "残疾儿童康复救助"],
    "优军优抚服务": ["优待抚恤", "退役军人安置", "退役军人就业创业扶持"],
    "公共文化服务": ["公共文化设施免费开放", "送戏曲下乡", "农村电影放映", "读书看报", "收听广播和观看电视"],
    "公共体育服务": ["公共体育设施开放", "全民健身服务"],
}
CATEGORY_TAGS = {
    "优孕优生服务": ["孕产妇"], "儿童健康服务": ["儿童"], "儿童关爱服务": ["儿童", "困难群众"],
    "学前教育助学服务": ["儿童", "学生"], "义务教育服务": ["学生"], "普通高中助学服务": ["学生"],
    "职业教育助学服务": ["学生"], "就业创业服务": ["失业人员", "新市民"],
    "工伤失业保险服务": ["失业人员"], "公共卫生服务": ["居民", "患者"], "医疗保险服务": ["居民"],
    "计划生育扶助服务": ["困难群众"], "养老助老服务": ["老年人"], "养老保险服务": ["老年人", "居民"],
    "公租房服务": ["新市民", "困难群众"], "住房改造服务": ["居民", "困难群众"],
    "社会救助服务": ["困难群众"], "公共法律服务": ["居民", "困难群众"],
    "扶残助残服务": ["残疾人"], "优军优抚服务": ["退役军人"], "公共文化服务": ["居民"],
    "公共体育服务": ["居民"],
}
# Per domain: theme words for titles, the bureau in charge, the industry code prefix(es).
DOMAIN_INFO = {
    "幼有所育": (["婴幼儿照护", "儿童关爱", "妇幼健康"], "卫生健康局", ["WS/T"]),
    "学有所教": (["义务教育", "学前教育", "学生资助"], "教育局", ["JY/T"]),
    "劳有所得": (["就业创业", "公共就业", "技能培训"], "人力资源和社会保障局", ["LD/T"]),
    "病有所医": (["公共卫生", "医疗保障", "家庭医生签约"], "卫生健康局", ["WS/T"]),
    "老有所养": (["养老服务", "巡视探访", "居家养老"], "民政局", ["MZ/T"]),
    "住有所居": (["住房保障", "老旧小区改造", "公租房"], "住房和城乡建设局", ["JGJ/T"]),
    "弱有所扶": (["社会救助", "残疾人服务", "法律援助"], "民政局", ["MZ/T"]),
    "优军服务保障": (["退役军人服务", "优抚褒扬"], "退役军人事务局", ["MZ/T"]),
    "文体服务保障": (["公共文化", "全民健身", "文旅融合"], "文化和旅游局", ["WH/T", "TY/T"]),
}
STD_TOPICS = [
    "基本公共服务", "养老机构", "社区居家养老", "老年人能力评估", "公共图书馆", "文化馆",
    "政务服务中心", "残疾人康复机构", "婴幼儿照护服务机构", "公共就业服务", "医疗保障经办",
    "社会救助", "法律援助", "人民调解", "公租房运营管理", "老旧小区改造", "家庭医生签约",
    "预防接种门诊", "儿童福利机构", "未成年人救助保护", "退役军人服务站", "公共体育场馆",
    "全民健身中心", "便民服务中心", "12345热线", "村（社区）综合服务站", "特困人员供养机构",
    "困难残疾人生活补贴", "学生资助管理", "中小学食堂", "职业技能培训机构", "殡葬服务机构",
    "无障碍环境", "农家书屋", "基层综合性文化服务中心", "流动人口服务", "慢性病健康管理",
    "居民健康档案", "长期护理保险", "老年助餐点",
]
STD_SUFFIXES = [
    "服务规范", "服务质量评价", "管理规范", "基本要求", "建设指南", "等级划分与评定",
    "服务指南", "术语", "信息公开规范", "设施设备配置要求", "服务满意度测评方法",
    "运行管理要求",
]
SUBSYSTEMS = ["服务通用基础标准子体系", "服务保障标准子体系", "服务提供标准子体系",
              "服务评价与改进标准子体系"]
ACTORS = ["县民政局", "县卫生健康局", "县人力资源和社会保障局", "县教育局", "县医疗保障局",
          "县住房和城乡建设局", "县退役军人事务局", "县文化和旅游局", "县市场监督管理局",
          "各乡镇（街道）便民服务中心", "村（社区）党群服务中心", "县政务服务中心",
          "县残疾人联合会", "县司法局", "社区卫生服务中心", "乡镇卫生院"]
VERBS = ["梳理", "编制", "公开", "修订", "细化", "规范", "优化", "统一", "完善", "落实"]
OBJECTS = ["服务清单", "服务流程", "服务规范", "办事指南", "服务标准", "岗位职责",
           "服务台账", "评价指标", "监督机制", "信息公开目录", "投诉处理程序",
           "服务设施配置", "人员培训制度"]
ADVERBIALS = ["按照“应公开尽公开”的原则", "结合本地实际", "以群众需求为导向",
              "对照国家基本公共服务标准", "在充分调研的基础上", "围绕服务对象最关心的问题",
              "依托县级政务服务平台", "参照省级地方标准", "通过部门联席会议",
              "在试点乡镇先行先试后"]
RESULTS = ["群众办事更加方便", "服务质量有了明显提升", "做到服务有标可依、有标必依",
           "实现了“一次办好”", "办理时限平均缩短{pct}%", "服务覆盖率达到{pct}%",
           "群众满意度稳步提高", "基层工作人员有了统一的操作依据", "服务事项做到应纳尽纳",
           "跨部门的服务衔接更加顺畅"]
PRACTICES = ["梳理服务清单", "建设标准体系", "推进标准实施", "开展评估改进", "打造示范点位",
             "亮标公开承诺", "数字化赋能", "强化人员培训"]
SITE_KINDS = ["标准惠民示范点", "示范点", "社区综合体", "便民服务中心"]
SITE_PLACES = ["便民服务中心", "社区党群服务中心", "颐养中心", "文化礼堂", "卫生服务站",
               "退役军人服务站", "儿童之家", "综合文化站"]
FUNDING = ["中央与地方共同财政事权，按规定比例分担", "地方财政承担", "县级财政承担",
           "基本医疗保险基金支付", "就业补助资金列支"]
POLICY_KINDS = [("实施方案", "方案"), ("管理办法", "办法"), ("工作规划", "规划"),
                ("实施意见", "意见"), ("基本公共服务清单", "清单")]
STATUSES_NATIONAL = [("现行", 80), ("有更新版", 7), ("被代替", 5), ("废止", 3), ("即将实施", 5)]
STATUSES_LOCAL = [("现行", 80), ("即将实施", 10), ("未知", 10)]
STATUSES_OWN = [("现行", 40), ("未知", 60)]

# src/model.rs SERVICE_GROUPS: the pages of /liangbiao/who/<group>/ each.
SERVICE_GROUPS = ["老年人", "残疾人", "儿童", "学生", "失业人员", "退役军人", "困难群众", "孕产妇",
                  "新市民", "患者", "居民"]

N_NATIONAL = 400  # GB/T catalogue: fixed, whatever the corpus size
N_INDUSTRY_PER_PREFIX = 40

# ------------------------------------------------------------------ helpers


def rng_for(seed: int, *parts: object) -> random.Random:
    return random.Random(":".join([str(seed), *map(str, parts)]))


def weighted(rng: random.Random, items: list, weights: list[float], k: int) -> list:
    """Up to k distinct items, drawn by weight, in draw order."""
    chosen: list = []
    seen: set[int] = set()
    attempts = 0
    cum = []
    total = 0.0
    for w in weights:
        total += w
        cum.append(total)
    while len(chosen) < min(k, len(items)) and attempts < 20 * k + 20:
        attempts += 1
        i = rng.choices(range(len(items)), cum_weights=cum, k=1)[0]
        if i not in seen:
            seen.add(i)
            chosen.append(items[i])
    return chosen


def zipf_weights(n: int, exponent: float = 0.5) -> list[float]:
    return [1.0 / (i + 1) ** exponent for i in range(n)]


def pick_status(rng: random.Random, table) -> str:
    return rng.choices([s for s, _ in table], weights=[w for _, w in table], k=1)[0]


def toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def toml_list(items) -> str:
    return "[" + ", ".join(toml_str(i) for i in items) + "]"


def code_slug(code: str) -> str:
    """liangbiao's StandardCode::slug for a code in canonical form."""
    out = []
    for c in code:
        if c.isascii() and c.isalnum():
            out.append(c.lower())
        elif not out or out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-")


def title_slug(title: str) -> str:
    """liangbiao's StandardEntry::slug for a standard without a code."""
    digest = hashlib.sha256(f"《{title}》".encode()).digest()
    return "t-" + digest[:4].hex()


def b26(n: int) -> str:
    s = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def utf8_len(s: str) -> int:
    return len(s.encode())


# ------------------------------------------------------------------ model


@dataclass
class Standard:
    identity: str  # canonical code, or 《title》
    slug: str
    code: str | None
    title: str
    level: str | None  # 国家 行业 地方 团体 企业, None = 未注明
    status: str
    issued: str | None
    kind: str  # national | industry | local | own
    users: list[int] = field(default_factory=list)  # pilot indexes, in use order


@dataclass
class Location:
    region: str
    city: str
    county: str
    lead_unit: str
    row: int = 0


@dataclass
class Use:
    std: Standard
    relation: str
    subsystem: str
    source: str


@dataclass
class Item:
    domain: str
    category: str | None
    name: str
    standards: list[Standard]
    tags: list[str]


@dataclass
class ServiceList:
    slug: str
    title: str
    count: int | None
    items: list[Item]


@dataclass
class Site:
    slug: str
    name: str
    kind: str
    place: str


@dataclass
class Pilot:
    index: int
    slug: str
    title: str
    kind: str
    domains: list[str]  # domain names; [] for 综合试点 (all nine)
    theme: str
    place: str  # 城市+县 as readers name it
    county_short: str
    locations: list[Location]
    updated: str
    uses: list[Use] = field(default_factory=list)
    lists: list[ServiceList] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)
    # Satisfaction before and after in tenths of a percent, when the pilot reports it.
    satisfaction: tuple[int, int] | None = None
    # Filled while writing the liangbiao entry and reused for the Hugo one.
    figure_rows: list[dict] = field(default_factory=list)
    item_texts: list[dict] = field(default_factory=list)


class Corpus:
    """The structure of a corpus with `n_pilots` pilots (text comes later)."""

    def __init__(self, seed: int, n_pilots: int, regions, domains):
        self.seed = seed
        self.regions = regions  # list of dicts from regions.toml, in order
        self.domains = domains  # list of dicts from domains.toml, in order
        self.domain_names = [d["name"] for d in domains]
        self.region_by_slug = {r["slug"]: r for r in regions}
        self.pilots: list[Pilot] = []
        self.standards: dict[str, Standard] = {}  # identity -> Standard, creation order
        self._slugs: dict[str, str] = {}  # standard slug -> identity
        self._build_catalogues()
        self._build_pilots(n_pilots)

    # -- catalogues shared by many pilots

    def _new_standard(self, code, title, level, status, issued, kind) -> Standard:
        identity = code if code else f"《{title}》"
        slug = code_slug(code) if code else title_slug(title)
        if slug in self._slugs and self._slugs[slug] != identity:
            raise ValueError(f"slug collision {slug}")
        self._slugs[slug] = identity
        return Standard(identity, slug, code, title, level, status, issued, kind)

    def _build_catalogues(self):
        rng = rng_for(self.seed, "catalogue")
        titles = [t + s for t in STD_TOPICS for s in STD_SUFFIXES]
        rng.shuffle(titles)
        numbers = rng.sample(range(20000, 43000), N_NATIONAL)
        self.national = []
        for i in range(N_NATIONAL):
            year = rng.randint(2008, 2024)
            title = titles[i % len(titles)]
            if i >= len(titles):
                title += f" 第{i // len(titles) + 1}部分"
            self.national.append(self._catalogue_entry(
                f"GB/T {numbers[i]}-{year}", title, pick_status(rng, STATUSES_NATIONAL),
                str(year), "national"))
        self.national_weights = zipf_weights(len(self.national))
        self.industry: dict[str, list] = {}
        for prefix in sorted({p for _, _, ps in DOMAIN_INFO.values() for p in ps}):
            nums = rng.sample(range(100, 900), N_INDUSTRY_PER_PREFIX)
            entries = []
            for n in nums:
                year = rng.randint(2010, 2024)
                entries.append(self._catalogue_entry(
                    f"{prefix} {n}-{year}", rng.choice(titles),
                    pick_status(rng, STATUSES_NATIONAL), str(year), "industry"))
            self.industry[prefix] = entries
        self.local: dict[str, list] = {}

    @staticmethod
    def _catalogue_entry(code, title, status, issued, kind):
        # Catalogue entries become Standards only when a pilot uses them.
        return (code, title, status, issued, kind)

    def _standard(self, entry) -> Standard:
        code, title, status, issued, kind = entry
        identity = code
        if identity not in self.standards:
            self.standards[identity] = self._new_standard(code, title, None, status, issued, kind)
        return self.standards[identity]

    def _local_pool(self, region: str, size: int) -> list:
        pool = self.local.setdefault(region, [])
        if len(pool) < size:
            rng = rng_for(self.seed, "local", region, len(pool))
            code2 = self.region_by_slug[region]["code"][:2]
            titles = [t + s for t in STD_TOPICS for s in STD_SUFFIXES]
            while len(pool) < size:
                n = 1000 + len(pool) * 7 + rng.randint(0, 6)
                year = rng.randint(2015, 2024)
                pool.append((f"DB{code2}/T {n}-{year}", rng.choice(titles),
                             pick_status(rng, STATUSES_LOCAL), str(year), "local"))
        return pool

    # -- pilots

    def _build_pilots(self, n: int):
        rng = rng_for(self.seed, "pilots", n)
        weights = [COUNTIES[r["slug"]] for r in self.regions]
        per_region = largest_remainder(n, weights)
        used_names: set[str] = set()
        # Extra counties (the second location of 协调联动 pilots) come from here.
        specs = []
        for region, count in zip(self.regions, per_region):
            if count == 0:
                continue
            cities = self._cities(region, count, rng)
            for i in range(count):
                specs.append((region, cities[i % len(cities)]))
        index = 0
        row = 0
        for region, city in specs:
            kind = rng.choices(["综合试点", "专项试点", "区域协调联动试点"], [25, 65, 10])[0]
            if kind == "综合试点":
                domains: list[str] = []
                theme = ""
            else:
                k = 1 if kind != "专项试点" or rng.random() < 0.8 else 2
                domains = sorted(rng.sample(self.domain_names, k), key=self.domain_names.index)
                theme = rng.choice(DOMAIN_INFO[domains[0]][0])
            county_syl = self._county_name(rng, used_names)
            suffix = "区" if region["slug"] in MUNICIPALITIES else rng.choice(["县", "县", "区", "市"])
            county = "".join(h for h, _ in county_syl) + suffix
            pinyin = "".join(p for _, p in county_syl)
            bureau = DOMAIN_INFO[domains[0]][1] if domains else None
            locations = [Location(region["slug"], city, county,
                                  f"{city}{county}{bureau or '人民政府'}")]
            place = county if region["slug"] in MUNICIPALITIES else f"{city}{county}"
            full = region["full_name"]
            if kind == "区域协调联动试点":
                other = self.regions[(self.regions.index(region) + 1 + rng.randint(0, 2)) % len(self.regions)]
                o_syl = self._county_name(rng, used_names)
                o_suffix = "区" if other["slug"] in MUNICIPALITIES else "县"
                o_county = "".join(h for h, _ in o_syl) + o_suffix
                o_city = other["full_name"] if other["slug"] in MUNICIPALITIES else self._cities(other, 1, rng)[0]
                locations.append(Location(other["slug"], o_city, o_county,
                                          f"{o_city}{o_county}人民政府"))
                title = f"{full}{place}与{other['full_name']}{o_county}{theme}协调联动基本公共服务标准化试点"
                slug = f"{region['slug']}-{pinyin}-{''.join(p for _, p in o_syl)}"
            elif kind == "综合试点":
                title = f"{full}{place}基本公共服务标准化综合试点"
                slug = f"{region['slug']}-{pinyin}"
            else:
                title = f"{full}{place}{theme}基本公共服务标准化专项试点"
                slug = f"{region['slug']}-{pinyin}"
            for loc in locations:
                row += 1
                loc.row = row
            month = rng.randint(1, 12)
            day = rng.randint(1, 28)
            pilot = Pilot(index, slug, title, kind, domains, theme, place, county,
                          locations, f"{UPDATED_YEAR}-{month:02d}-{day:02d}")
            self._pick_standards(pilot, rng, per_region[self.regions.index(region)])
            self._make_services(pilot, rng)
            pilot.satisfaction = self._satisfaction(self.seed, slug)
            self.pilots.append(pilot)
            index += 1

    @staticmethod
    def _satisfaction(seed: int, slug: str) -> tuple[int, int] | None:
        """One pilot in five reports satisfaction before and after (its own stream, so
        that the page count knows it before the text is written)."""
        rng = rng_for(seed, "satisfaction", slug)
        if rng.random() >= 0.2:
            return None
        before = rng.randint(780, 900)
        return before, min(999, before + rng.randint(20, 90))

    def _cities(self, region, count, rng):
        if region["slug"] in MUNICIPALITIES:
            return [region["full_name"]]
        cache = getattr(self, "_city_cache", {})
        self._city_cache = cache
        if region["slug"] not in cache:
            crng = rng_for(self.seed, "cities", region["slug"])
            names: list[str] = []
            seen: set[str] = set()
            while len(names) < 40:
                a, b = crng.sample(SYLLABLES, 2)
                name = a[0] + b[0] + "市"
                if name not in seen:
                    seen.add(name)
                    names.append(name)
            cache[region["slug"]] = names
        n_cities = max(1, min(40, round(count / 6)))
        return cache[region["slug"]][:n_cities]

    def _county_name(self, rng, used):
        """Syllables of a county name whose hanzi and pinyin are both unused (the pinyin
        becomes the slug; `e`+`nan` and `en`+`an` would otherwise collide)."""
        for attempt in range(500):
            k = 2 if attempt < 8 else 3
            syl = rng.sample(SYLLABLES, k)
            key = "".join(h for h, _ in syl)
            pinyin = "".join(p for _, p in syl)
            if key not in used and pinyin not in used:
                used.add(key)
                used.add(pinyin)
                return syl
        raise RuntimeError("ran out of county names")

    def _pick_standards(self, pilot: Pilot, rng: random.Random, region_pilots: int):
        uses: list[Use] = []
        src = lambda: "evaluation" if rng.random() < 0.6 else "cases"
        for entry in weighted(rng, self.national, self.national_weights, rng.randint(3, 6)):
            uses.append(Use(self._standard(entry), "引用", rng.choice(SUBSYSTEMS[:2]), src()))
        prefixes = sorted({p for d in (pilot.domains or self.domain_names) for p in DOMAIN_INFO[d][2]})
        pool = [e for p in prefixes for e in self.industry[p]]
        for entry in weighted(rng, pool, zipf_weights(len(pool)), rng.randint(1, 3)):
            uses.append(Use(self._standard(entry), "引用", SUBSYSTEMS[2], src()))
        region = pilot.locations[0].region
        local = self._local_pool(region, 3 + region_pilots // 2)
        for entry in weighted(rng, local, zipf_weights(len(local)), rng.randint(1, 3)):
            relation = "参与制定" if rng.random() < 0.15 else "引用"
            uses.append(Use(self._standard(entry), relation, SUBSYSTEMS[2], src()))
        abbr = "".join(p[0] for p in pilot.slug.split("-")[1:]).upper()
        org = f"{pilot.slug.split('-')[0][:2].upper()}{abbr}{b26(pilot.index)}"
        for j in range(rng.randint(1, 3)):
            service = rng.choice(SERVICES[rng.choice(sorted(SERVICES))])
            suffix = rng.choice(STD_SUFFIXES)
            year = rng.randint(2019, 2023)
            r = rng.random()
            if r < 0.4:
                code, level = f"Q/{org} FW{101 + j}.01-{year}", None
            elif r < 0.6:
                code, level = f"T/{org}XH {j + 1:03d}-{year}", None
            else:
                code, level = None, None
            title = f"{pilot.county_short}{service}{suffix}"
            if f"《{title}》" in self.standards or (code and code in self.standards):
                continue  # the same title twice for one pilot
            if not code:
                # liangbiao gives a standard without a code the page /standards/t-<first 32
                # bits of SHA-256>/ and refuses two identities on one page
                # (validate::check_standard_slugs); at 100k pages a collision is rare but
                # possible, so another wording is taken.
                for variant in ("", "（试行）", "（修订）", "（第二版）"):
                    slug = title_slug(title + variant)
                    if slug not in self._slugs:
                        title += variant
                        break
            status = pick_status(rng, STATUSES_OWN)
            std = self._new_standard(code, title, level, status, str(year) if code else None, "own")
            self.standards[std.identity] = std
            relation = "上升为地方标准" if rng.random() < 0.05 else rng.choice(["制定", "制定", "参与制定"])
            uses.append(Use(std, relation, rng.choice(SUBSYSTEMS[2:]), "cases"))
        for use in uses:
            use.std.users.append(pilot.index)
        pilot.uses = uses

    def _make_services(self, pilot: Pilot, rng: random.Random):
        r = rng.random()
        n_lists = 0 if r < 0.05 else (1 if r < 0.85 else 2)
        domains = pilot.domains or self.domain_names
        for li in range(n_lists):
            slug = f"{pilot.slug}-list" + ("" if li == 0 else f"-{li + 1}")
            title = (f"{pilot.place}基本公共服务清单" if li == 0
                     else f"{pilot.place}{pilot.theme or '基本公共服务'}事项目录")
            items: list[Item] = []
            count = None
            if rng.random() < 0.05:
                count = rng.randint(20, 120)  # the source gives only a count
            else:
                for _ in range(rng.randint(6, 12)):
                    domain = rng.choice(domains)
                    cats = self.domains[self.domain_names.index(domain)]["categories"]
                    category = rng.choice(cats)
                    name = rng.choice(SERVICES[category])
                    n_std = rng.choices([0, 1, 2], [40, 45, 15])[0]
                    stds = [u.std for u in rng.sample(pilot.uses, min(n_std, len(pilot.uses)))]
                    items.append(Item(domain, category if rng.random() < 0.85 else None, name,
                                      stds, CATEGORY_TAGS[category] if rng.random() < 0.7 else []))
                if rng.random() < 0.5:
                    count = len(items) + rng.randint(0, 40)
            pilot.lists.append(ServiceList(slug, title, count, items))
        if rng.random() < 0.25:
            for si in range(rng.randint(1, 2)):
                place = rng.choice(SITE_PLACES)
                pilot.sites.append(Site(f"{pilot.slug}-site-{si + 1}",
                                        f"{pilot.county_short}{rng.choice(['城关镇', '新城街道', '东关社区', '河西村'])}{place}",
                                        rng.choice(SITE_KINDS), f"{pilot.place}"))

    # -- counts

    def counts(self) -> dict:
        return {
            "pilots": len(self.pilots),
            "pilot_locations": sum(len(p.locations) for p in self.pilots),
            "standards": len(self.standards),
            "standard_uses": sum(len(p.uses) for p in self.pilots),
            "standards_national": sum(1 for s in self.standards.values() if s.kind == "national"),
            "standards_industry": sum(1 for s in self.standards.values() if s.kind == "industry"),
            "standards_local": sum(1 for s in self.standards.values() if s.kind == "local"),
            "standards_own": sum(1 for s in self.standards.values() if s.kind == "own"),
            "max_pilots_per_standard": max((len(s.users) for s in self.standards.values()), default=0),
            "service_lists": sum(len(p.lists) for p in self.pilots),
            "service_items": sum(len(l.items) for p in self.pilots for l in p.lists),
            "demo_sites": sum(len(p.sites) for p in self.pilots),
        }

    def level_of(self, std: Standard) -> str | None:
        if std.level:
            return std.level
        if not std.code:
            return None
        prefix = std.code.split(" ")[0]
        base = prefix.split("/")[0]
        if base in ("GB", "GBZ"):
            return "国家"
        if base == "T":
            return "团体"
        if base == "Q":
            return "企业"
        if base.startswith("DB") and base != "DB":
            return "地方"
        return "行业"

    def liangbiao_pages(self) -> dict:
        """HTML pages `liangbiao build` writes, by the rules of src/render (see the module
        docs there): fixed pages, one per region, domain, pilot, standard, service list,
        two per demonstration site, and the listings of pilots and of standards in pages
        of 100 (src/render/pager.rs)."""
        pages = lambda n: math.ceil(n / PAGE_SIZE)
        # The lists of pilots have a page even when empty.
        list_pages = lambda n: max(1, pages(n))
        pilots_by_region: dict = {}
        pilots_by_domain: dict = {}
        who_rows: dict = {g: 0 for g in SERVICE_GROUPS}
        for p in self.pilots:
            regions_of_pilot = len({l.region for l in p.locations})
            for lst in p.lists:
                for item in lst.items:
                    for g in set(item.tags):
                        if g in who_rows:
                            who_rows[g] += regions_of_pilot
            for r in {l.region for l in p.locations}:
                pilots_by_region[r] = pilots_by_region.get(r, 0) + 1
            for d in set(p.domains or self.domain_names):
                pilots_by_domain[d] = pilots_by_domain.get(d, 0) + 1
        stds = list(self.standards.values())
        by_level: dict = {}
        by_status: dict = {}
        by_region: dict = {}
        by_domain: dict = {}
        for s in stds:
            by_level[self.level_of(s)] = by_level.get(self.level_of(s), 0) + 1
            by_status[s.status] = by_status.get(s.status, 0) + 1
            regions = set()
            domains = set()
            for i in set(s.users):
                p = self.pilots[i]
                regions.update(l.region for l in p.locations)
                domains.update(p.domains or self.domain_names)
            for r in regions:
                by_region[r] = by_region.get(r, 0) + 1
            for d in domains:
                by_domain[d] = by_domain.get(d, 0) + 1
        c = self.counts()
        reporting = sum(1 for p in self.pilots if p.satisfaction)
        items_naming: dict = {}
        for p in self.pilots:
            for lst in p.lists:
                for item in lst.items:
                    for identity in {std.identity for std in item.standards}:
                        items_naming[identity] = items_naming.get(identity, 0) + 1
        # Past 100, a standard's pilots and services are also listed 100 a page.
        listed_past_a_page = lambda n: pages(n) if n > PAGE_SIZE else 0
        parts = {
            # /, regions/, domains/, 404, data/ (src/render/mod.rs), search/
            # (src/render/mod.rs), liangbiao/who/ (src/render/who.rs).
            "fixed": 5 + 1 + 1,
            # satisfaction/, 100 pilots a page, once more than 20 report it (the home
            # page charts up to 20; src/render/satisfaction.rs).
            "satisfaction": pages(reporting) if reporting > HOME_CHART_PILOTS else 0,
            # liangbiao/ (every service list) and liangbiao/sites/ (every demonstration
            # site), 100 a page (src/render/services.rs).
            "disclosure_listings": list_pages(c["service_lists"]) + list_pages(c["demo_sites"]),
            # The pages of each service group, whether or not an item names it: its items
            # by region, an item once per region of its pilot (src/render/who.rs).
            "service_groups": sum(list_pages(n) for n in who_rows.values()),
            # src/render/pilot_lists.rs
            "pilots_listing": list_pages(len(self.pilots)),
            "regions": len(self.regions) + sum(pages(n) - 1 for n in pilots_by_region.values()),
            "domains": len(self.domains) + sum(pages(n) - 1 for n in pilots_by_domain.values()),
            "pilots": c["pilots"],
            "standards": c["standards"],
            # standards/<slug>/pilots/ and …/services/ (src/render/standards.rs).
            "standard_uses_and_services": sum(
                listed_past_a_page(len(st.users)) + listed_past_a_page(items_naming.get(st.identity, 0))
                for st in stds),
            "service_lists": c["service_lists"],
            "demo_sites_and_posters": 2 * c["demo_sites"],
            "standards_listing": max(1, pages(len(stds))),
            "standards_by_level": sum(pages(n) for n in by_level.values()),
            "standards_by_status": sum(pages(n) for n in by_status.values()),
            "standards_by_region": sum(pages(n) for n in by_region.values()),
            "standards_by_domain": sum(pages(n) for n in by_domain.values()),
        }
        parts["total"] = sum(parts.values())
        return parts


def largest_remainder(n: int, weights: list[int]) -> list[int]:
    total = sum(weights)
    quotas = [n * w / total for w in weights]
    base = [math.floor(q) for q in quotas]
    rest = n - sum(base)
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - base[i]), i))
    for i in order[:rest]:
        base[i] += 1
    return base


# ------------------------------------------------------------------ text


class Writer:
    """Turns a Corpus into files. All text comes from per-entry seeded generators."""

    def __init__(self, corpus: Corpus, repo: Path, out: Path):
        self.c = corpus
        self.repo = repo
        self.out = out
        self.seed = corpus.seed
        self.domain_slug = {d["name"]: d["slug"] for d in corpus.domains}
        self.region_name = {r["slug"]: r["name"] for r in corpus.regions}
        self.bodies: dict[str, str] = {}
        self.by_region: dict[str, list[Pilot]] = {}
        for p in corpus.pilots:
            self.by_region.setdefault(p.locations[0].region, []).append(p)

    # -- shared text

    def sentence(self, rng: random.Random) -> str:
        result = rng.choice(RESULTS).format(pct=rng.randint(20, 98))
        return f"{rng.choice(ADVERBIALS)}，{rng.choice(ACTORS)}{rng.choice(VERBS)}{rng.choice(OBJECTS)}，{result}。"

    def summary(self, p: Pilot, rng: random.Random) -> str:
        what = "、".join(p.domains) if p.domains else "九个服务领域"
        n = sum(len(l.items) for l in p.lists) or rng.randint(20, 90)
        return (f"{p.place}围绕{what}{rng.choice(VERBS)}{rng.choice(OBJECTS)}，"
                f"把{n}项基本公共服务写进清单，并为每一项找到或制定了标准。")

    def body(self, p: Pilot) -> str:
        rng = rng_for(self.seed, "body", p.slug)
        what = "、".join(p.domains) if p.domains else "幼有所育、学有所教等九个领域"
        intro = (f"{p.place}承担{p.kind}任务，围绕{what}，把一项项基本公共服务写成清单，"
                 f"明确服务对象、服务内容、服务标准、支出责任和牵头单位。")
        parts = [intro + self.sentence(rng) + self.sentence(rng), "", "## 做法", ""]
        for practice in rng.sample(PRACTICES, rng.randint(3, 4)):
            parts.append(f"- **{practice}。** {self.sentence(rng)}")
        parts += ["", "## 成效", ""]
        own = sum(1 for u in p.uses if u.std.kind == "own")
        ref = len(p.uses) - own
        before = rng.randint(780, 900)
        after = min(999, before + rng.randint(30, 120))
        parts.append(
            f"试点期间，{p.county_short}自主制定标准{own}项，引用国家、行业和地方标准{ref}项，"
            f"群众满意度由{before / 10:.1f}%提高到{after / 10:.1f}%。" + self.sentence(rng))
        # Links to another entry: a pilot of the same region and one of its own standards.
        others = [q for q in self.by_region[p.locations[0].region] if q is not p]
        other = others[rng.randrange(len(others))] if others else None
        std = p.uses[rng.randrange(len(p.uses))].std
        link = f"试点标准体系收录的[《{std.title}》](/standards/{std.slug}/)已在全县落地实施"
        if other:
            link += f"，做法也参考了[{other.place}的试点](/pilots/{other.slug}/)"
        parts += ["", link + "。"]
        text = "\n".join(parts)
        while utf8_len(text) < 1450:
            text += "\n\n" + self.sentence(rng) + self.sentence(rng)
        return text + "\n"

    # -- liangbiao

    def write_liangbiao(self):
        root = self.out / "liangbiao"
        content = root / "content"
        for sub in ("pilots", "standards", "services"):
            (content / sub).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.repo / "config.toml", root / "config.toml")
        for name in ("regions.toml", "domains.toml", "sources.toml", "_index.md"):
            shutil.copyfile(self.repo / "content" / name, content / name)
        for name in ("templates", "static"):
            copy_tree(self.repo / name, root / name)
        for p in self.c.pilots:
            rng = rng_for(self.seed, "pilot", p.slug)
            body = self.body(p)
            self.bodies[p.slug] = body
            write(content / "pilots" / f"{p.slug}.md", self.pilot_md(p, rng, body))
            write(content / "standards" / f"{p.slug}.toml", self.standards_toml(p, rng))
            if p.lists or p.sites:
                write(content / "services" / f"{p.slug}.toml", self.services_toml(p))

    def figures(self, p: Pilot, rng: random.Random) -> list[dict]:
        figs = []
        total = len(p.uses) + rng.randint(10, 160)
        figs.append({"key": "standards_total", "value": total, "source": "evaluation",
                     "display": f"{total}项"})
        if rng.random() < 0.2:
            figs.append({"key": "standards_total", "value": total + rng.randint(1, 30),
                         "source": "cases", "note": "案例汇编给出的数字与考核评估表不同"})
        own = sum(1 for u in p.uses if u.std.kind == "own")
        figs.append({"key": "standards_self_made", "value": own + rng.randint(0, 40), "source": "evaluation"})
        items = sum(len(l.items) for l in p.lists) + rng.randint(10, 80)
        figs.append({"key": "service_items", "value": items, "source": "evaluation"})
        if p.satisfaction:
            before, after = p.satisfaction
            figs.append({"key": "satisfaction_before", "value": f"{before / 10:.1f}", "source": "evaluation"})
            figs.append({"key": "satisfaction_after", "value": f"{after / 10:.1f}", "source": "evaluation"})
        if rng.random() < 0.5:
            label, unit = rng.choice([("覆盖社区", "个"), ("服务人次", "人次"), ("示范点", "个"),
                                      ("培训基层人员", "人次")])
            figs.append({"key": "other", "label": label, "unit": unit,
                         "value": rng.randint(10, 50000), "source": "evaluation",
                         "period": f"{rng.randint(2020, 2023)}年底"})
        return figs

    def pilot_md(self, p: Pilot, rng: random.Random, body: str) -> str:
        out = ["+++", f"title = {toml_str(p.title)}", f"slug = {toml_str(p.slug)}",
               f"kind = {toml_str(p.kind)}"]
        if p.domains:
            out.append(f"domains = {toml_list(p.domains)}")
        out += [f"summary = {toml_str(self.summary(p, rng))}", f"updated = {p.updated}",
                'sources = ["evaluation", "cases"]']
        for loc in p.locations:
            out += ["", "[[locations]]", f"region = {toml_str(loc.region)}",
                    f"city = {toml_str(loc.city)}", f"county = {toml_str(loc.county)}",
                    f"lead_unit = {toml_str(loc.lead_unit)}", f"evaluation_row = {loc.row}"]
        p.figure_rows = self.figures(p, rng)
        for f in p.figure_rows:
            out += ["", "[[figures]]", f"key = {toml_str(f['key'])}"]
            if "label" in f:
                out += [f"label = {toml_str(f['label'])}", f"unit = {toml_str(f['unit'])}"]
            out += [f"value = {f['value']}", f"source = {toml_str(f['source'])}"]
            for k in ("display", "period", "note"):
                if k in f:
                    out.append(f"{k} = {toml_str(f[k])}")
        out += ["+++", "", body]
        return "\n".join(out)

    def standards_toml(self, p: Pilot, rng: random.Random) -> str:
        out = [f"pilot = {toml_str(p.slug)}"]
        for u in p.uses:
            s = u.std
            out += ["", "[[standard]]"]
            if s.code:
                out.append(f"code = {toml_str(s.code)}")
            out += [f"title = {toml_str(s.title)}", f"status = {toml_str(s.status)}",
                    f"subsystem = {toml_str(u.subsystem)}", f"relation = {toml_str(u.relation)}"]
            if s.issued:
                out.append(f"issued = {toml_str(s.issued)}")
            out.append(f"source = {toml_str(u.source)}")
        for i in range(rng.randint(0, 2)):
            name, kind = POLICY_KINDS[(p.index + i) % len(POLICY_KINDS)]
            out += ["", "[[policy]]", f"title = {toml_str(p.place + (p.theme or '基本公共服务') + name)}",
                    f"kind = {toml_str(kind)}", 'source = "cases"']
        return "\n".join(out) + "\n"

    def item_fields(self, p: Pilot, item: Item, rng: random.Random) -> dict:
        return {
            "recipients": rng.choice(["辖区常住居民", "符合条件的本县户籍居民", "辖区内符合条件的服务对象",
                                      "持有居住证的新市民", "经认定的困难群众"]),
            "content": f"提供{item.name}，按规定程序受理、审核并在承诺时限内办结。",
            "standard_text": f"服务对象满意度达到{rng.randint(85, 99)}%以上，办理时限不超过{rng.randint(3, 20)}个工作日。",
            "funding": rng.choice(FUNDING),
            "lead": f"{p.county_short}{DOMAIN_INFO[item.domain][1]}",
            "window": rng.choice([f"{p.county_short}政务服务中心{rng.randint(1, 40)}号窗口",
                                  "各乡镇（街道）便民服务中心", "村（社区）党群服务中心"]),
        }

    def services_toml(self, p: Pilot) -> str:
        rng = rng_for(self.seed, "services", p.slug)
        out = [f"pilot = {toml_str(p.slug)}"]
        p.item_texts = []
        for lst in p.lists:
            out += ["", "[[list]]", f"slug = {toml_str(lst.slug)}", f"title = {toml_str(lst.title)}",
                    'source = "cases"']
            if lst.count is not None:
                out.append(f"count = {lst.count}")
            for item in lst.items:
                f = self.item_fields(p, item, rng)
                p.item_texts.append(f)
                out += ["", "[[list.item]]", f"domain = {toml_str(item.domain)}"]
                if item.category:
                    out.append(f"category = {toml_str(item.category)}")
                out.append(f"name = {toml_str(item.name)}")
                for k in ("recipients", "content", "standard_text"):
                    out.append(f"{k} = {toml_str(f[k])}")
                if item.standards:
                    refs = [s.code if s.code else s.title for s in item.standards]
                    out.append(f"standards = {toml_list(refs)}")
                for k in ("funding", "lead", "window"):
                    out.append(f"{k} = {toml_str(f[k])}")
                if item.tags:
                    out.append(f"tags = {toml_list(item.tags)}")
        for site in p.sites:
            out += ["", "[[site]]", f"slug = {toml_str(site.slug)}", f"name = {toml_str(site.name)}",
                    f"kind = {toml_str(site.kind)}", f"place = {toml_str(site.place)}",
                    f"description = {toml_str(self.site_description(p, site))}", 'source = "cases"']
        return "\n".join(out) + "\n"

    def site_description(self, p: Pilot, site: Site) -> str:
        return f"{site.name}把服务清单和服务标准上墙公开，群众可以对照标准监督服务。"

    # -- hugo

    def write_hugo(self):
        root = self.out / "hugo"
        content = root / "content"
        copy_tree(self.repo / "static", root / "static")
        copy_tree(Path(__file__).resolve().parent / "hugo" / "layouts", root / "layouts")
        shutil.copyfile(Path(__file__).resolve().parent / "hugo" / "hugo.toml", root / "hugo.toml")
        home = (self.repo / "content" / "_index.md").read_text(encoding="utf-8")
        write(content / "_index.md", home)
        write(content / "pilots" / "_index.md", '+++\ntitle = "试点"\n+++\n')
        write(content / "liangbiao" / "_index.md", '+++\ntitle = "亮标惠民"\n+++\n')
        write(content / "regions" / "_index.md", '+++\ntitle = "地区"\n+++\n')
        write(content / "domains" / "_index.md", '+++\ntitle = "服务领域"\n+++\n')
        write(content / "standards" / "_index.md", '+++\ntitle = "标准"\n+++\n')
        for r in self.c.regions:
            write(content / "regions" / r["slug"] / "_index.md",
                  f'+++\ntitle = {toml_str(r["full_name"])}\ncode = {toml_str(r["code"])}\n+++\n')
        for d in self.c.domains:
            write(content / "domains" / d["slug"] / "_index.md",
                  f'+++\ntitle = {toml_str(d["name"])}\ndescription = {toml_str(d["description"])}\n'
                  f'categories = {toml_list(d["categories"])}\n+++\n')
        for s in sorted(self.c.standards.values(), key=lambda s: s.slug):
            lines = ["+++", f"title = {toml_str((s.code + ' ' if s.code else '') + s.title)}",
                     f"std_title = {toml_str(s.title)}", f"level = {toml_str(self.c.level_of(s) or '未注明')}",
                     f"status = {toml_str(s.status)}"]
            if s.code:
                lines.append(f"code = {toml_str(s.code)}")
            if s.issued:
                lines.append(f"issued = {toml_str(s.issued)}")
            lines.append("+++")
            write(content / "standards" / s.slug / "_index.md", "\n".join(lines) + "\n")
        for p in self.c.pilots:
            write(content / "pilots" / f"{p.slug}.md", self.hugo_pilot(p))
            texts = iter(p.item_texts)
            for lst in p.lists:
                write(content / "liangbiao" / f"{lst.slug}.md", self.hugo_list(p, lst, texts))
            for site in p.sites:
                write(content / "liangbiao" / "sites" / f"{site.slug}.md", self.hugo_site(p, site))

    def hugo_pilot(self, p: Pilot) -> str:
        rng = rng_for(self.seed, "pilot", p.slug)
        summary = self.summary(p, rng)  # same draws as the liangbiao entry
        domains = p.domains or self.c.domain_names
        out = ["+++", f"title = {toml_str(p.title)}", f"kind = {toml_str(p.kind)}",
               f"summary = {toml_str(summary)}", f"date = {p.updated}", f"lastmod = {p.updated}",
               f"place = {toml_str('、'.join(l.city + l.county for l in p.locations))}",
               f"regions = {toml_list(sorted({l.region for l in p.locations}))}",
               f"domains = {toml_list(self.domain_slug[d] for d in domains)}",
               f"related_domains = {toml_list(self.domain_slug[d] for d in p.domains)}",
               f"standards = {toml_list(u.std.slug for u in p.uses)}",
               f"lists = {toml_list(l.slug for l in p.lists)}",
               f"demo_sites = {toml_list(s.slug for s in p.sites)}"]
        for loc in p.locations:
            out += ["", "[[locations]]", f"region = {toml_str(loc.region)}",
                    f"region_name = {toml_str(self.region_name[loc.region])}",
                    f"place = {toml_str(loc.city + loc.county)}",
                    f"lead_unit = {toml_str(loc.lead_unit)}", f"evaluation_row = {loc.row}"]
        for f in p.figure_rows:
            label = f.get("label") or FIGURE_LABELS[f["key"]][0]
            unit = f.get("unit") or FIGURE_LABELS[f["key"]][1]
            out += ["", "[[figures]]", f"label = {toml_str(label)}",
                    f"text = {toml_str(f.get('display') or str(f['value']) + unit)}",
                    f"source = {toml_str(SOURCE_TITLES[f['source']])}"]
            if "note" in f:
                out.append(f"note = {toml_str(f['note'])}")
        for u in p.uses:
            out += ["", "[[uses]]", f"slug = {toml_str(u.std.slug)}", f"relation = {toml_str(u.relation)}",
                    f"subsystem = {toml_str(u.subsystem)}"]
        out += ["+++", "", self.bodies[p.slug]]
        return "\n".join(out)

    def hugo_list(self, p: Pilot, lst: ServiceList, texts) -> str:
        out = ["+++", f"title = {toml_str(lst.title)}", f"date = {p.updated}",
               f"pilot = {toml_str(p.slug)}",
               f"standards = {toml_list(sorted({s.slug for i in lst.items for s in i.standards}))}"]
        if lst.count is not None:
            out.append(f"count = {lst.count}")
        for item in lst.items:
            f = next(texts)
            out += ["", "[[items]]", f"domain = {toml_str(item.domain)}",
                    f"category = {toml_str(item.category or '')}", f"name = {toml_str(item.name)}"]
            for k in ("recipients", "content", "standard_text", "funding", "lead", "window"):
                out.append(f"{k} = {toml_str(f[k])}")
            out.append(f"standards = {toml_list(s.slug for s in item.standards)}")
            out.append(f"tags = {toml_list(item.tags)}")
        out += ["+++", ""]
        return "\n".join(out)

    def hugo_site(self, p: Pilot, site: Site) -> str:
        return "\n".join(["+++", f"title = {toml_str(site.name)}", f"date = {p.updated}",
                          f"kind = {toml_str(site.kind)}", f"place = {toml_str(site.place)}",
                          f"description = {toml_str(self.site_description(p, site))}",
                          f"pilot = {toml_str(p.slug)}", "+++", ""])


FIGURE_LABELS = {
    "service_items": ("基本公共服务事项", "项"), "standards_total": ("标准体系收录标准", "项"),
    "standards_self_made": ("自主（新）制定标准", "项"), "satisfaction_before": ("试点前满意度", "%"),
    "satisfaction_after": ("试点后满意度", "%"),
}
SOURCE_TITLES = {"evaluation": "考核评估项目表", "cases": "典型案例汇编"}


def write(path: Path, text: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def copy_tree(src: Path, dst: Path):
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames.sort()
        rel = Path(dirpath).relative_to(src)
        (dst / rel).mkdir(parents=True, exist_ok=True)
        for name in sorted(filenames):
            shutil.copyfile(Path(dirpath) / name, dst / rel / name)


# ------------------------------------------------------------------ sizing


def calibrate(seed: int, target: int, regions, domains, log) -> Corpus:
    """The corpus whose liangbiao page count is closest to `target`."""
    n = max(2, round((target - 600) / 5.5))
    best = None
    tried: dict[int, int] = {}
    for _ in range(8):
        if n in tried:
            break
        corpus = Corpus(seed, n, regions, domains)
        pages = corpus.liangbiao_pages()["total"]
        tried[n] = pages
        log(f"  {n} pilots -> {pages} pages")
        if best is None or abs(pages - target) < abs(best[1] - target):
            best = (corpus, pages)
        if abs(pages - target) <= max(2, target * 0.01):
            break
        # Secant step on pages(n), which is close to linear.
        slope = 5.5
        if len(tried) >= 2:
            (n1, p1), (n2, p2) = sorted(tried.items(), key=lambda kv: abs(kv[1] - target))[:2]
            if n1 != n2 and p1 != p2:
                slope = max(1.0, (p2 - p1) / (n2 - n1))
        n = max(2, n + round((target - pages) / slope))
    return best[0]


def generator_hash(repo: Path) -> str:
    """Hash of everything the output depends on besides the arguments: this generator,
    its Hugo layouts, and the site files it copies from `repo`."""
    h = hashlib.sha256()
    h.update(f"format {FORMAT_VERSION}\n".encode())
    here = Path(__file__).resolve().parent
    groups = [(here, [here / "corpus.py", here / "hugo" / "hugo.toml"]
               + sorted(p for p in (here / "hugo" / "layouts").rglob("*") if p.is_file())),
              (repo, [repo / "config.toml"]
               + [repo / "content" / n for n in ("regions.toml", "domains.toml", "sources.toml", "_index.md")]
               + sorted(p for d in ("templates", "static") for p in (repo / d).rglob("*") if p.is_file()))]
    for base, paths in groups:
        for p in paths:
            h.update(p.relative_to(base).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, required=True, help="HTML pages liangbiao should write (approximately)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--repo", type=Path, default=REPO, help="repository to take templates/static/regions from")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    log = (lambda *a: None) if args.quiet else (lambda *a: print(*a, file=sys.stderr))
    repo = args.repo.resolve()
    regions = tomllib.loads((repo / "content/regions.toml").read_text(encoding="utf-8"))["region"]
    regions.sort(key=lambda r: r["order"])
    domains = tomllib.loads((repo / "content/domains.toml").read_text(encoding="utf-8"))["domain"]
    domains.sort(key=lambda d: d["order"])
    log(f"sizing a corpus for {args.pages} pages (seed {args.seed})")
    corpus = calibrate(args.seed, args.pages, regions, domains, log)
    out = args.out
    for sub in ("liangbiao", "hugo"):
        if (out / sub).exists():
            shutil.rmtree(out / sub)
    out.mkdir(parents=True, exist_ok=True)
    writer = Writer(corpus, repo, out)
    writer.write_liangbiao()
    writer.write_hugo()
    pages = corpus.liangbiao_pages()
    counts = corpus.counts()
    manifest = {
        "generator": "bench/corpus.py",
        "generator_hash": generator_hash(repo),
        "seed": args.seed,
        "pages_requested": args.pages,
        "counts": counts,
        "liangbiao_html_pages": pages["total"],
        "liangbiao_html_pages_by_kind": pages,
        "hugo_content_entries": {
            "pilots": counts["pilots"], "standards": counts["standards"],
            "service_lists": counts["service_lists"], "demo_sites": counts["demo_sites"],
            "regions": len(regions), "domains": len(domains),
        },
        "samples": {
            "pilot": corpus.pilots[0].slug,
            "pilot_with_list": next((p.slug for p in corpus.pilots if any(l.items for l in p.lists)), None),
            "most_shared_standard": max(corpus.standards.values(), key=lambda s: (len(s.users), s.slug)).slug,
        },
    }
    write(out / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    log(f"wrote {out}: {counts['pilots']} pilots, {counts['standards']} standards, "
        f"{counts['service_lists']} lists, {counts['demo_sites']} sites; "
        f"liangbiao will write {pages['total']} HTML pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
