"""The knowledge base's vocabulary: the domain dictionary jieba must keep whole, the synonym groups a
search treats as one word, and the words that carry no meaning in a question (pure data).

- ``DOMAIN_WORDS``: terms of grid work that jieba's general dictionary splits or does not know
  (网格员, 低保, 居住证, 高空抛物, 异地就医 ...). They are added to the segmenter with a high
  frequency, so 低保户 gives 低保 and 低保户, and 在外地看病 gives 外地看病 (and 外地, 看病).
- ``SYNONYMS``: groups of words meaning the same thing to a resident; the first word of a group is the
  one the index stores, the others are mapped to it in entries and in questions alike (煤气 → 燃气,
  最低生活保障 → 低保). Every word of a group is also a domain word, so it is kept whole.
- ``STOPWORDS``: question words and particles (怎么, 吗, 请问 ...) left out of queries and the index.

Adding a term or a synonym is an edit here; the next ``flask content sync`` re-indexes every entry
(the index records ``VERSION``, a digest of this vocabulary) and restarted processes segment with it.
"""
from __future__ import annotations

import hashlib

DOMAIN_WORDS: tuple[str, ...] = (
    # the work itself
    "网格员", "网格长", "专职网格员", "网格化", "楼栋长", "单元长", "社区民政专干", "民政专干", "居委会", "村委会",
    "街道办", "街道办事处", "综治中心", "入户走访", "走访", "台账", "首问负责", "闭环", "五步法", "转介",
    "信息采集", "基础信息", "上报", "事件上报", "网格事件", "岗前培训", "入职培训", "年度轮训", "专题培训",
    "导师制", "职业发展", "持证上岗", "考核", "绩效考核",
    # policy
    "低保", "低保户", "低保金", "最低生活保障", "低保标准", "特困人员", "特困供养", "临时救助", "医疗救助",
    "社会救助", "居住证", "暂住证", "积分落户", "户口迁移", "户籍", "异地就医", "外地看病", "跨省就医",
    "医保", "医疗保险", "城乡居民医保", "职工医保", "医保卡", "社保卡", "电子医保凭证",
    "门诊慢特病", "慢特病", "大病保险", "长期护理保险", "家庭医生", "高龄津贴", "高龄补贴", "高龄补助", "老年人津贴",
    "残疾人补贴", "残疾人两项补贴", "困难残疾人生活补贴", "重度残疾人护理补贴", "残疾证", "养老保险",
    "城乡居民养老保险", "养老金", "退役军人", "优抚", "廉租房", "公租房", "住房救助", "教育救助",
    "就业救助", "失业登记", "失业保险", "灵活就业", "12345", "12345热线", "政务服务中心", "便民服务中心",
    # disputes and order
    "邻里纠纷", "矛盾纠纷", "人民调解", "调解员", "噪音扰民", "噪声扰民", "装修噪音", "广场舞", "漏水",
    "渗水", "楼上漏水", "停车位", "占道经营", "乱堆乱放", "飞线充电", "电动车", "电瓶车", "电动自行车",
    "消防通道", "楼道堆物", "高空抛物", "高空坠物", "楼上扔东西", "宠物", "犬只", "遛狗", "物业", "物业费",
    "业委会", "维修基金", "群租", "出租屋", "出租房", "流动人口", "家庭暴力", "家暴", "赡养",
    # emergencies
    "燃气", "煤气", "天然气", "液化气", "燃气泄漏", "漏气", "燃气灶", "燃气公司", "火灾", "初起火灾",
    "灭火器", "消火栓", "心肺复苏", "急救", "突发疾病", "防汛", "汛期", "内涝", "转移安置", "应急预案",
    "避难场所", "停电", "停水", "台风", "地震",
    # special groups and safety
    "独居老人", "空巢老人", "孤寡老人", "高龄老人", "留守儿童", "困境儿童", "残疾人", "精神障碍",
    "严重精神障碍", "社区矫正", "刑满释放", "安置帮教", "吸毒人员", "传销", "拉人头", "非法集资",
    "电信诈骗", "电信网络诈骗", "反诈", "养老诈骗", "保健品",
    # civilised city
    "文明城市", "文明创建", "垃圾分类", "环境卫生", "不文明行为", "劝导", "牛皮癣", "小广告", "违章搭建",
    # the worker's own wellbeing
    "心理调适", "心理疏导", "职业倦怠", "情绪管理", "压力",
    # words jieba splits wrongly in questions (刚入职 → 刚入 + 职)
    "入职", "新入职", "刚入职", "社工证", "助餐", "断缴", "寄宿", "拿不准", "认知障碍", "无儿无女", "拴绳",
)

#: Synonym groups; the first word of each is what the index stores.
SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("燃气", "煤气", "天然气", "液化气", "燃汽", "煤汽"),
    ("低保", "最低生活保障", "低保金", "低宝"),
    ("医保", "医疗保险", "基本医疗保险", "医宝"),
    ("居住证", "暂住证", "居主证", "居往证"),
    ("异地就医", "外地看病", "跨省就医"),
    ("高空抛物", "高空坠物", "楼上扔东西"),
    ("噪音", "噪声"),
    ("噪音扰民", "噪声扰民"),
    ("电动车", "电瓶车", "电动自行车", "电驴子", "电驴", "电摩"),
    ("高龄津贴", "高龄补贴", "高龄补助", "老年人津贴", "高龄金贴", "高龄津帖"),
    ("残疾人补贴", "残疾人两项补贴"),
    ("独居老人", "空巢老人", "孤寡老人", "孤老头", "孤老太", "孤老"),
    ("居委会", "居民委员会"),
    ("街道办", "街道办事处"),
    ("出租屋", "出租房"),
    ("户籍", "户口"),
    ("家暴", "家庭暴力", "家爆"),
    ("传销", "拉人头"),
    ("电信诈骗", "电信网络诈骗"),
    ("心肺复苏", "cpr", "心肺复速", "心脏复苏"),
    ("12345", "12345热线"),
    ("社区民政专干", "民政专干"),
    # typos and homophones residents type (pinyin input picks the wrong character)
    ("临时救助", "临时求助"),
    ("残疾人", "残急人", "残疾人士"),
    ("社工证", "社工正"),
    ("物业费", "物业废"),
    # colloquial words for the same thing
    ("助餐", "送饭", "送餐"),
    ("无儿无女", "没儿没女"),
    ("断缴", "断交", "断保"),
    ("寄宿", "住校"),
    ("技能", "手艺"),
    ("拿不准", "吃不准"),
    ("巡查", "巡逻"),
    ("认知障碍", "老年痴呆", "痴呆"),
    ("狗", "金毛", "泰迪", "狗狗"),
    ("拴绳", "牵绳"),
    ("抓", "挠"),
    ("民警", "警察", "警官"),
    ("孩子", "娃", "娃娃", "小孩"),
    # everyday words for people and time
    ("女儿", "闺女"),
    ("妻子", "媳妇", "老婆"),
    ("丈夫", "老公"),
    ("老人", "老头", "老太太", "老爷子", "老太", "老汉"),
    ("年轻人", "小伙", "小伙子"),
    ("邻居", "街坊", "街坊邻居"),
    ("看病", "瞧病"),
    ("星期", "礼拜"),
    ("睡不着", "失眠", "睡不好"),
    ("找工作", "找活", "找活儿"),
)

STOPWORDS: frozenset[str] = frozenset("""
的 地 得 了 着 过 吗 呢 啊 呀 吧 嘛 哦 哈 么 呗 啦 哇 嗯 噢 喔
我 我们 你 你们 您 他 她 它 他们 她们 咱 咱们 自己 人家 大家
是 在 有 没 没有 和 与 及 以及 或 或者 也 都 就 还 又 再 才 只 把 被 给 让 对 从 向 往 到 跟 比 为 为了
这 那 这个 那个 这些 那些 这样 那样 这么 那么 这种 那种 这里 那里 这儿 那儿 此
什么 啥 怎么 怎么办 怎么样 怎样 如何 哪里 哪儿 哪 哪个 哪些 谁 为什么 为啥 多少 几 是不是 有没有
能不能 可不可以 可以 能 会 要 想 想要 请问 请 问 问一下 一下 一个 一些 一点 需要 应该 该 得要 必须
个 些 种 样 点 吗吗 呢呢 然后 如果 要是 但是 可是 因为 所以 而且 还是 就是 不是 不 没 很 太 挺 非常 特别
知道 告诉 说 讲 看看 帮 帮忙 办 弄 搞 行 好 对吗 吧吗 呢吗 是否 已经 现在 今天 刚才
俺 俺们 俺家 咱家 咋 咋整 咋弄 咋办 咋样 咋回事 咋的 中不中 中 晓得 晓不晓得 嘞 哩 哈 嘛 滴 不咧 咧 叫
时候 天天 老是 一直 人 还能 能不 行不行 管不管 有啥 没啥
""".split())


def _version() -> str:
    digest = hashlib.sha256()
    for part in (DOMAIN_WORDS, *SYNONYMS, tuple(sorted(STOPWORDS))):
        digest.update("\x1f".join(part).encode("utf-8"))
        digest.update(b"\x1e")
    return digest.hexdigest()[:16]


#: A digest of the vocabulary: the index is rebuilt when it changes.
VERSION = _version()
