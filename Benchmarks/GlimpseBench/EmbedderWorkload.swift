/// Texts for the embedder benchmark: short search queries and photo-caption-like passages in several languages.
enum EmbedderWorkload {
    static let queries = [
        "红色汽车", "red car", "a dog on the beach", "海边的日落", "猫在窗台上", "children playing football",
        "東京の夜景", "Eiffel tower at night",
    ]

    static let captions = [
        "A red sports car parked in front of an old brick house.", "一只橘色的猫躺在沙发上睡觉。",
        "Two dogs chasing a frisbee across a green park.", "夕阳下的海滩，远处有几艘渔船。",
        "A bowl of ramen with egg and green onions.", "雪山脚下的小木屋，屋顶上积满了雪。",
        "Children flying colourful kites on a windy hill.", "一位老人在公园里打太极拳。",
        "A cyclist riding through autumn leaves in the forest.", "城市夜景，高楼大厦灯火通明。",
        "A hot air balloon floating over a valley at dawn.", "桌子上放着一杯咖啡和一本打开的书。",
        "A lighthouse on a rocky coast during a storm.", "熊猫在竹林里吃竹子。",
        "Fresh vegetables at a farmers market stall.", "一列红色的火车穿过山间隧道。",
        "A child blowing out candles on a birthday cake.", "荷花池里有几只鸭子在游泳。",
        "An astronaut floating outside the space station.", "街边小摊上卖着烤红薯。",
        "A black and white photo of a jazz band on stage.", "东京塔在夜空中闪闪发光。",
        "Sheep grazing on a misty hillside in Scotland.", "一个女孩在雨中撑着红色的雨伞。",
        "A wooden boat tied to a pier on a calm lake.", "长城在秋天的山峦间蜿蜒。",
        "Sunflowers in a field under a blue sky.", "厨房里妈妈正在包饺子。",
        "A bee collecting pollen from a purple flower.", "地铁站里人来人往。",
        "Ein roter Traktor auf einem Feld im Sommer.", "Un chat noir dort au soleil sur un balcon.",
    ]
}
