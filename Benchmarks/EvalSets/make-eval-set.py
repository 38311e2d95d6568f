#!/usr/bin/env python3
"""Writes Benchmarks/EvalSets/shared-photos.tsv from ../shared/data/photos/labels.tsv.

One row per photo: path (relative to the photos directory), label_en, label_zh, caption_language, caption.
Each photo gets ONE caption in ONE language. Languages alternate within a label (photo order), and the first
photo's language alternates from label to label, so single-photo labels split evenly and multi-photo labels mix.
Captions combine many sentence shapes with details written for each label (and for some photos), so the set
is not one template. The committed TSV is what `glimpse-bench eval` reads; this script only documents how it
was made and is deterministic (no randomness).

usage: make-eval-set.py [PHOTOS_DIR] [OUT.tsv]
"""
import csv
import os
import sys

# label -> (English details, Chinese details): what the picture shows besides the object's name.
DETAILS = {
    "alpaca": (["with a fluffy woolly coat standing in a paddock"], ["披着蓬松的毛站在围栏里"]),
    "apple": (["with shiny red skin and a short stem"], ["红彤彤的，表皮很光亮"]),
    "astronaut": (["in a white spacesuit floating near the station"], ["穿着白色宇航服在空间站外"]),
    "baseball": (["with red stitching on white leather"], ["白色皮面上缝着红线"]),
    "bat": (["hanging upside down from a branch with its wings folded"], ["倒挂在树枝上，翅膀收拢"]),
    "bee": (["collecting pollen on a yellow flower"], ["在黄色的花朵上采蜜"]),
    "bird": (["perched on a branch by the water", "wading in shallow water", "with a huge colourful beak",
              "feeding in a marsh", "standing fluffy and young on the grass", "gliding low over a field"],
             ["停在水边的树枝上", "站在浅水里", "长着又大又鲜艳的嘴", "在沼泽里觅食", "毛茸茸的，站在草地上", "低低地掠过田野"]),
    "bison": (["grazing on an open prairie"], ["在辽阔的草原上吃草"]),
    "bucket": (["made of metal with a handle"], ["带提手的金属"]),
    "butterfly": (["resting on a flower with open wings", "with patterned orange wings"],
                  ["张开翅膀停在花上", "翅膀上有橙色的花纹"]),
    "camel": (["walking across the desert sand"], ["在沙漠里行走"]),
    "cat": (["curled up on a farm bench", "looking at the camera, still a kitten", "with tabby stripes and green eyes"],
            ["蜷缩在农场的长椅上", "小小的，看着镜头", "长着绿眼睛和虎斑花纹"]),
    "caterpillar": (["crawling along a green leaf"], ["在绿叶上慢慢爬"]),
    "chair": (["made of wood standing in an empty room"], ["木头做的，放在空房间里"]),
    "chameleon": (["gripping a twig with its curly tail", "changing colour on a branch"],
                  ["用卷曲的尾巴抓着树枝", "在树枝上变换颜色"]),
    "cheetah": (["resting in the dry savanna grass"], ["趴在干燥的草原上休息"]),
    "chicken": (["pecking at grain in the farmyard"], ["在院子里啄食谷粒"]),
    "coffee": (["in a white cup on a saucer"], ["盛在白色杯子里，配着小碟"]),
    "colosseum": (["in Rome under a blue sky"], ["在罗马的蓝天下"]),
    "cow": (["grazing in a green meadow", "lying in the straw"], ["在绿色的草地上吃草", "躺在稻草上"]),
    "crab": (["on wet sand raising its claws"], ["在湿沙滩上举起钳子"]),
    "crocodile": (["lying at the edge of a river"], ["趴在河岸边"]),
    "cup": (["standing empty on a table"], ["空着放在桌子上"]),
    "dam": (["holding back a reservoir", "with water pouring over the spillway", "made of concrete in a valley",
             "seen from the river below", "with a road along its crest"],
            ["拦住了一大片水库", "水从泄洪道倾泻而下", "建在山谷里的混凝土", "从下游河边看过去", "坝顶上有一条路"]),
    "dog": (["sitting by a farm gate"], ["坐在农场门口"]),
    "dolphin": (["leaping out of the sea"], ["跃出海面"]),
    "duck": (["swimming on a pond"], ["在池塘里游泳"]),
    "eiffel tower": (["in Paris rising above the city"], ["在巴黎高高耸立"]),
    "fish": (["swimming near a coral reef", "with bright yellow stripes", "in a home aquarium", "with silver scales",
              "hiding among sea plants", "seen from the side", "with long flowing fins", "in clear blue water"],
             ["在珊瑚礁旁游动", "身上有鲜黄色的条纹", "养在家里的鱼缸中", "长着银色的鳞片", "躲在水草中间", "从侧面看",
              "拖着长长的鳍", "在清澈的蓝色海水里"]),
    "fruit": (["piled together in a bowl"], ["堆在一个碗里"]),
    "giraffe": (["stretching its long neck to the treetops", "walking across the savanna"], ["伸长脖子够树梢的叶子", "走过草原"]),
    "goat": (["with curved horns standing on a rock"], ["长着弯角，站在岩石上"]),
    "gorilla": (["sitting in the forest looking thoughtful"], ["坐在森林里若有所思"]),
    "great wall": (["winding over green mountains in China"], ["在中国的青山上蜿蜒"]),
    "hammer": (["with a wooden handle", "lying on a workbench", "with a claw for pulling nails", "with a steel head",
                "next to a few nails"],
               ["带木柄", "放在工作台上", "一头可以拔钉子", "锤头是钢的", "旁边有几颗钉子"]),
    "hedgehog": (["rolled up among fallen leaves"], ["在落叶里缩成一团"]),
    "horse": (["standing in a field", "running along a fence"], ["站在田野里", "沿着栅栏奔跑"]),
    "jaguar": (["with spotted fur resting on a branch"], ["身上有斑点，趴在树枝上"]),
    "kangaroo": (["standing upright in the grass"], ["直立在草丛中"]),
    "knife": (["with a sharp steel blade"], ["刀刃锋利的钢"]),
    "koala": (["clinging to a eucalyptus tree"], ["抱着桉树"]),
    "leaning tower of pisa": (["in Italy, tilting to one side"], ["在意大利，向一边倾斜"]),
    "lemur": (["with a long striped tail"], ["拖着一条长长的环纹尾巴"]),
    "light bulb": (["glowing against a dark background"], ["在黑色背景前发光"]),
    "lizard": (["basking on a warm stone"], ["在温暖的石头上晒太阳"]),
    "measuring tape": (["pulled out to show the centimetre marks", "rolled up in a yellow case", "lying on a plank",
                        "with a metal hook at the end"],
                       ["拉出来露出厘米刻度", "收在黄色的外壳里", "放在木板上", "末端有个金属钩"]),
    "meerkat": (["standing guard on their hind legs"], ["用后腿站立放哨"]),
    "monkey": (["hanging from a branch by its long arms", "sitting on a rock", "with a long nose",
                "with a red and blue face"],
               ["用长长的手臂吊在树枝上", "坐在石头上", "长着大鼻子", "脸是红蓝两色的"]),
    "moose": (["with broad antlers in a forest"], ["头顶宽大的鹿角，站在森林里"]),
    "motorcycle": (["parked on the street, seen from the left"], ["停在街边，从左侧看"]),
    "multimeter": (["with probes for measuring voltage", "with a digital display", "with a big dial on the front"],
                   ["接着测电压的表笔", "带数字显示屏", "正面有个大旋钮"]),
    "narwhal": (["with a long spiral tusk in icy water"], ["长着螺旋状的长牙，在冰冷的海水里"]),
    "orange": (["with bright dimpled peel"], ["果皮鲜艳"]),
    "owl": (["with big round eyes on a fence post"], ["瞪着圆圆的大眼睛站在木桩上"]),
    "pan": (["made of cast iron on a stove"], ["铸铁的，放在炉子上"]),
    "panda": (["eating bamboo"], ["正在吃竹子"]),
    "parrot": (["with bright red and blue feathers"], ["羽毛红蓝相间，十分艳丽"]),
    "parthenon": (["on the Acropolis in Athens"], ["在雅典卫城上"]),
    "pencil": (["freshly sharpened on paper"], ["刚削好，放在纸上"]),
    "penguin": (["standing on the rocks by the sea"], ["站在海边的岩石上"]),
    "pig": (["rooting in the mud"], ["在泥地里拱来拱去"]),
    "pillow": (["resting on a bed"], ["放在床上"]),
    "plate": (["empty and white on a table"], ["空的白色，放在桌上"]),
    "pliers": (["with red rubber handles", "gripping a bent wire", "lying open on a bench", "for cutting cables"],
               ["手柄包着红色橡胶", "夹着一根弯铁丝", "张开着放在台子上", "用来剪电线"]),
    "polar bear": (["walking across the snow"], ["在雪地上行走"]),
    "pyramid": (["of Giza in the desert"], ["矗立在吉萨的沙漠中"]),
    "red panda": (["with reddish fur sitting in a tree"], ["毛色红棕，坐在树上"]),
    "rhinoceros": (["with a large horn grazing"], ["长着大角，低头吃草"]),
    "rocket": (["lifting off from the launch pad"], ["从发射台升空"]),
    "scissors": (["with orange handles", "cutting a sheet of paper", "lying open on a desk", "made of shiny steel"],
                 ["带橙色手柄", "正在剪一张纸", "张开放在桌上", "闪亮的不锈钢"]),
    "screwdriver": (["with a yellow handle", "turning a screw", "with a flat tip", "next to a few screws"],
                    ["黄色手柄", "正在拧螺丝", "平头的", "旁边有几颗螺丝"]),
    "sheep": (["with a thick woolly fleece"], ["身上裹着厚厚的羊毛"]),
    "solar panel": (["on a house roof", "in a field of many panels", "tilted towards the sun", "with blue cells",
                     "mounted on a pole"],
                    ["装在房顶上", "在一大片光伏阵列中", "朝着太阳倾斜", "由蓝色的电池片组成", "装在一根杆子上"]),
    "spoon": (["made of polished silver"], ["银色，擦得很亮"]),
    "squirrel": (["holding a nut in its paws", "with a bushy tail on a tree trunk"], ["捧着一颗坚果", "拖着蓬松的尾巴趴在树干上"]),
    "statue of liberty": (["holding up her torch in New York harbour"], ["在纽约港高举火炬"]),
    "swan": (["gliding on a lake"], ["在湖面上缓缓游动"]),
    "sydney opera house": (["by the harbour with its white sails"], ["在港湾边，白色的屋顶像船帆"]),
    "taj mahal": (["in white marble reflected in the pool"], ["白色大理石，倒映在水池里"]),
    "tweezers": (["with fine pointed tips", "holding a tiny part"], ["尖头很细", "夹着一个小零件"]),
    "volleyball": (["lying on the sand"], ["放在沙滩上"]),
    "windmill": (["in a Dutch landscape", "with wooden sails", "turning in the wind", "standing alone on a hill",
                  "beside a canal", "at sunset", "with white blades", "made of brick"],
                 ["在荷兰的田园风光中", "带木制风叶", "在风中转动", "独自立在山坡上", "在运河旁边", "在夕阳下",
                  "叶片是白色的", "砖砌的"]),
    "wrench": (["made of chrome steel", "tightening a bolt"], ["铬钢的", "正在拧紧螺栓"]),
}

# Sentence shapes; {x} is the label, {d} a detail. Several per language, picked in turn.
EN_SHAPES = [
    "A {x} {d}.",
    "Photo of a {x} {d}",
    "Here is a {x}, {d}.",
    "close-up: {x} {d}",
    "This picture shows a {x} {d}.",
    "{X} {d}",
    "A lovely shot of a {x} {d}.",
    "Snapshot of a {x} {d}, natural light",
]
ZH_SHAPES = [
    "一只{x}{d}",
    "照片里的{x}{d}。",
    "{x}，{d}",
    "这是一张{x}的特写，{d}。",
    "图中有{x}{d}",
    "拍到的{x}{d}。",
    "{x}{d}，光线自然",
]
# Objects, buildings and places take other measure words than animals.
ZH_THINGS = {"apple", "baseball", "bucket", "chair", "coffee", "colosseum", "cup", "dam", "eiffel tower", "fruit",
             "great wall", "hammer", "knife", "leaning tower of pisa", "light bulb", "measuring tape", "motorcycle",
             "multimeter", "orange", "pan", "parthenon", "pencil", "pillow", "plate", "pliers", "pyramid", "rocket",
             "scissors", "screwdriver", "solar panel", "spoon", "statue of liberty", "sydney opera house",
             "taj mahal", "tweezers", "volleyball", "windmill", "wrench", "astronaut"}
ZH_MEASURE = {"fish": "条", "cow": "头", "horse": "匹", "camel": "峰", "dolphin": "条", "crocodile": "条", "pig": "头",
              "narwhal": "头", "moose": "头", "rhinoceros": "头", "bison": "头", "caterpillar": "条", "lizard": "条"}
# Proper names read without an article.
EN_NO_ARTICLE = {"eiffel tower", "colosseum", "great wall", "leaning tower of pisa", "parthenon", "pyramid",
                 "statue of liberty", "sydney opera house", "taj mahal"}


def english(label, detail, shape):
    x = label
    if label in EN_NO_ARTICLE:
        x = " ".join(w.capitalize() for w in label.split())
        text = shape.replace("a {x}", "the {x}").replace("A {x}", "The {x}")
    elif label[0] in "aeiou":
        text = shape.replace("a {x}", "an {x}").replace("A {x}", "An {x}")
    else:
        text = shape
    return text.replace("{X}", x[0].upper() + x[1:]).replace("{x}", x).replace("{d}", detail)


def chinese(label_en, label_zh, detail, shape):
    if label_en in ZH_MEASURE:
        shape = shape.replace("一只{x}", "一" + ZH_MEASURE[label_en] + "{x}")
    if label_en in ZH_THINGS:
        shape = shape.replace("一只{x}", "一个{x}").replace("图中有{x}", "图中是{x}")
    if label_en in EN_NO_ARTICLE:
        shape = shape.replace("一个{x}", "{x}")
    return shape.replace("{x}", label_zh).replace("{d}", detail)


def main():
    root = os.path.dirname(os.path.abspath(__file__))
    photos = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "..", "..", "shared", "data", "photos")
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "shared-photos.tsv")
    with open(os.path.join(photos, "labels.tsv"), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    by_label = {}
    for row in rows:
        by_label.setdefault(row["label_en"], []).append(row)
    lines = ["path\tlabel_en\tlabel_zh\tcaption_language\tcaption"]
    en_turn = zh_turn = 0
    for label_index, label in enumerate(sorted(by_label)):
        en_details, zh_details = DETAILS[label]
        for photo_index, row in enumerate(sorted(by_label[label], key=lambda r: r["path"])):
            language = "zh" if (label_index + photo_index) % 2 == 0 else "en"
            if language == "en":
                caption = english(label, en_details[photo_index % len(en_details)], EN_SHAPES[en_turn % len(EN_SHAPES)])
                en_turn += 1
            else:
                caption = chinese(label, row["label_zh"], zh_details[photo_index % len(zh_details)],
                                  ZH_SHAPES[zh_turn % len(ZH_SHAPES)])
                zh_turn += 1
            lines.append("\t".join([row["path"], label, row["label_zh"], language, caption]))
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(lines) - 1} rows, {len(by_label)} labels to {out}")


if __name__ == "__main__":
    main()
