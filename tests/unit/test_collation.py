"""Chinese sort order: people by pinyin, numbered names by number, counts over the whole subtree."""
from dataclasses import dataclass

from app.collation import chinese_number, name_key, subtree_counts, tree_order


def test_names_sort_by_pinyin_not_code_point():
    names = ["吴芳", "刘洋", "冯雪", "张晓梅", "李建国", "陈静", "Alice", "阿依古丽"]
    ordered = sorted(names, key=lambda n: (name_key(n, numbers=False), n))
    assert ordered == ["阿依古丽", "Alice", "陈静", "冯雪", "李建国", "刘洋", "吴芳", "张晓梅"]
    assert sorted(names) != ordered  # code point order differs (冯 U+51AF < 刘 U+5218 < 吴 U+5434 …)


def test_people_names_keep_numerals_as_characters():
    assert sorted(["万一鸣", "万里"], key=lambda n: name_key(n, numbers=False)) == ["万里", "万一鸣"]


def test_chinese_numbers():
    assert [chinese_number(t) for t in ("一", "十", "十二", "二十", "二十一", "一百零五", "三〇二", "两千")] == \
        [1, 10, 12, 20, 21, 105, 302, 2000]
    assert chinese_number("网格") is None


def test_numbered_names_in_number_order():
    grids = ["第三网格", "第十网格", "第一网格", "第2网格", "第十二网格", "第二十网格"]
    assert sorted(grids, key=name_key) == ["第一网格", "第2网格", "第三网格", "第十网格", "第十二网格", "第二十网格"]


@dataclass
class Node:
    id: int
    name: str
    path: str


def tree():
    return [Node(1, "长青街道", "/1/"), Node(2, "幸福社区", "/1/2/"), Node(5, "第三网格", "/1/2/5/"),
            Node(3, "第一网格", "/1/2/3/"), Node(4, "第二网格", "/1/2/4/"), Node(6, "安康社区", "/1/6/"),
            Node(7, "第一网格", "/1/6/7/")]


def test_tree_order_keeps_children_under_parents_in_natural_order():
    assert [n.id for n in tree_order(tree())] == [1, 6, 7, 2, 3, 4, 5]


def test_subtree_counts_include_everyone_below():
    counts = subtree_counts(tree(), {3: 4, 4: 2, 5: 1, 7: 3, 2: 1})
    assert counts == {1: 11, 2: 8, 3: 4, 4: 2, 5: 1, 6: 3, 7: 3}
