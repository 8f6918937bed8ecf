"""Real places of the sample office's area in Shanghai Minhang, and the parts outlet names are made of.

Coordinates are WGS84 (not the GCJ-02 shown by Chinese map apps), rounded: they place clusters in the right
neighbourhoods, they are not surveyed positions. Road names are real roads of each neighbourhood.
"""

from __future__ import annotations

from dataclasses import dataclass

CITY_DISTRICT = "上海市闵行区"

# The sales territory: Xinzhuang, Qibao, Gumei and western Meilong, about 10.0 x 8.0 km.
AREA_LON = (121.330, 121.435)
AREA_LAT = (31.092, 31.164)


@dataclass(frozen=True)
class Neighbourhood:
    short_name: str  # used in branch names: 华联超市(七宝店)
    town: str  # the address part after the district ("" for a subdistrict, which addresses leave out)
    lon: float
    lat: float
    spread_m: float  # standard deviation of street positions around the centre
    weight: float  # share of the office's outlets
    roads: tuple[str, ...]
    metro: tuple[str, ...]  # stations, for kiosks


NEIGHBOURHOODS = (
    Neighbourhood(
        "莘庄",
        "莘庄镇",
        121.3810,
        31.1130,
        800,
        0.22,
        ("莘松路", "沪闵路", "莘建路", "莘东路", "都市路", "莘朱路", "水清路", "广通路", "秀文路", "西环路"),
        ("莘庄", "外环路"),
    ),
    Neighbourhood(
        "七宝",
        "七宝镇",
        121.3500,
        31.1520,
        750,
        0.18,
        ("漕宝路", "七莘路", "新镇路", "农南路", "青年路", "富强街", "明强路", "沪松公路", "北大街", "南大街"),
        ("七宝",),
    ),
    Neighbourhood(
        "古美",
        "",
        121.3980,
        31.1460,
        700,
        0.16,
        ("古美路", "平阳路", "顾戴路", "万源路", "古龙路", "龙茗路", "平南路", "莲花路", "平吉路"),
        ("顾戴路", "东兰路"),
    ),
    Neighbourhood(
        "梅陇",
        "梅陇镇",
        121.4180,
        31.1200,
        750,
        0.13,
        ("莲花南路", "银都路", "虹梅南路", "朱梅路", "罗锦路"),
        ("莲花路",),
    ),
    Neighbourhood(
        "春申",
        "莘庄镇",
        121.4040,
        31.1010,
        650,
        0.10,
        ("春申路", "都市路", "银都路", "莲花南路", "沪闵路"),
        ("春申路", "银都路"),
    ),
    Neighbourhood(
        "九星",
        "七宝镇",
        121.3680,
        31.1380,
        800,
        0.12,
        ("中春路", "七莘路", "顾戴路", "星中路", "新龙路", "虹莘路"),
        ("星中路", "七莘路"),
    ),
    Neighbourhood(
        "莘庄西", "莘庄镇", 121.3470, 31.1120, 900, 0.09, ("莘北路", "莘朱路", "疏影路", "报春路"), ("莘庄",)
    ),
)

OFFICE = {
    "code": "SH-MH01",
    "name": "上海闵行营业所",
    "lon": 121.3795,
    "lat": 31.1172,
    "timezone": "Asia/Shanghai",
}
SUPERVISOR = {"code": "MH-S01", "name": "周建国"}
REP_NAMES = ("张伟", "李娜", "王磊", "刘洋", "陈静", "杨帆", "赵强", "黄敏")

SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "朱", "马", "胡", "郭", "林", "何")
GROCERY_PREFIXES = (
    "惠民",
    "利民",
    "永兴",
    "福源",
    "顺发",
    "兴旺",
    "鑫鑫",
    "万家",
    "宏达",
    "佳佳",
    "红梅",
    "东升",
    "金海",
    "百姓",
    "好运",
    "家家乐",
    "富民",
    "宏福",
    "盛兴",
    "康乐",
    "吉祥",
    "和顺",
    "新新",
)
GROCERY_SUFFIXES = ("烟杂店", "食品商店", "副食品店", "便民超市", "小卖部", "日杂店", "烟酒店", "食杂店")
CONVENIENCE_CHAINS = (
    "全家便利店",
    "罗森便利店",
    "好德便利",
    "可的便利",
    "快客便利",
    "喜士多便利店",
    "7-ELEVEn便利店",
    "良友便利",
    "便利蜂",
)
SUPERMARKET_CHAINS = ("联华超市", "华联超市", "世纪联华", "农工商超市", "永辉超市", "盒马鲜生")
HYPERMARKET_CHAINS = ("家乐福", "大润发", "易买得", "乐购", "欧尚")
RESTAURANT_BRANDS = (
    "沙县小吃",
    "兰州拉面",
    "黄焖鸡米饭",
    "小杨生煎",
    "老盛昌汤包",
    "吉祥馄饨",
    "阿香米线",
    "杨国福麻辣烫",
    "避风塘",
)
RESTAURANT_KINDS = (
    "面馆",
    "小吃店",
    "饭店",
    "餐厅",
    "生煎馆",
    "馄饨店",
    "快餐店",
    "火锅店",
    "烧烤店",
    "川菜馆",
    "湘菜馆",
    "包子铺",
    "茶餐厅",
)
SCHOOL_KINDS = ("小学", "中学", "实验小学", "实验学校", "第二中学", "第三小学", "外国语小学", "初级中学")
INTERNET_CAFE_NAMES = ("星际", "极速", "飞翔", "战神", "未来", "星空", "蓝海", "天空之城", "速度", "风云")
WHOLESALE_GOODS = ("糖烟酒", "饮料", "食品", "副食品", "酒水饮料")
